import { readFile } from 'node:fs/promises';
import { InputError } from '@weft/ir';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';

/** A decoded image: 8-bit RGBA, row-major. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  /** `width · height · 4` bytes: red, green, blue, alpha per pixel. */
  readonly rgba: Uint8Array;
}

/** Largest image `--image` decodes (pixels), so that a wrong file cannot exhaust memory. */
const MAX_IMAGE_MEGAPIXELS = 64;

/**
 * Reads a PNG or JPEG file (told apart by its first bytes, not its extension) into RGBA pixels,
 * with the pure-JS decoders `pngjs` and `jpeg-js`.
 *
 * @throws InputError when the file is missing, is neither PNG nor JPEG, or does not decode.
 */
export async function readImageFile(path: string): Promise<RgbaImage> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new InputError(`--image: cannot read "${path}"`, {
      expected: 'a PNG or JPEG file',
      actual: (error as Error).message,
    });
  }
  const isPng =
    bytes.length > 8 && bytes.subarray(0, 8).equals(Buffer.from([137, 80, 78, 71, 13, 10, 26, 10]));
  const isJpeg = bytes.length > 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
  if (!isPng && !isJpeg)
    throw new InputError(`--image: "${path}" is neither a PNG nor a JPEG file`, {
      expected: 'a PNG or JPEG file',
      actual: `first bytes ${[...bytes.subarray(0, 4)].map((b) => b.toString(16).padStart(2, '0')).join(' ')}`,
    });
  try {
    if (isPng) {
      const png = PNG.sync.read(bytes);
      if (png.width * png.height > MAX_IMAGE_MEGAPIXELS * 1e6) throw new Error('the image is too large');
      return { width: png.width, height: png.height, rgba: new Uint8Array(png.data) };
    }
    const decoded = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      maxResolutionInMP: MAX_IMAGE_MEGAPIXELS,
    });
    return { width: decoded.width, height: decoded.height, rgba: decoded.data };
  } catch (error) {
    throw new InputError(`--image: "${path}" does not decode as ${isPng ? 'PNG' : 'JPEG'}`, {
      actual: (error as Error).message,
    });
  }
}

/** How an image becomes the model's `pixels`: the resize, the rescale and the per-channel normalization. */
export interface ImagePreprocessing {
  /** Target `[height, width]`. */
  readonly size: readonly [number, number];
  /** Multiplies the 0..255 values (Hugging Face's `rescale_factor`, 1/255). */
  readonly rescale: number;
  /** Subtracted per channel (R, G, B) after the rescale. */
  readonly mean: readonly [number, number, number];
  /** Divides per channel after the mean. */
  readonly std: readonly [number, number, number];
}

/**
 * The image as `pixels` `[1, 3, height, width]` (channels first, as Hugging Face's
 * `pixel_values`): resized bilinearly (half-pixel centres, edges clamped; this is PyTorch's
 * `interpolate(mode='bilinear', align_corners=False)` without an antialias filter, so a
 * downscaled image differs slightly from PIL's), then `(value · rescale − mean) / std` per
 * channel. Alpha is dropped.
 */
export function imagePixels(image: RgbaImage, preprocessing: ImagePreprocessing): Float32Array {
  const [height, width] = preprocessing.size;
  const pixels = new Float32Array(3 * height * width);
  const scaleY = image.height / height;
  const scaleX = image.width / width;
  const sample = (channel: number, y: number, x: number) => image.rgba[(y * image.width + x) * 4 + channel]!;
  for (let row = 0; row < height; row++) {
    const [y0, y1, fy] = bilinearTaps((row + 0.5) * scaleY - 0.5, image.height);
    for (let col = 0; col < width; col++) {
      const [x0, x1, fx] = bilinearTaps((col + 0.5) * scaleX - 0.5, image.width);
      for (let channel = 0; channel < 3; channel++) {
        const top = sample(channel, y0, x0) * (1 - fx) + sample(channel, y0, x1) * fx;
        const bottom = sample(channel, y1, x0) * (1 - fx) + sample(channel, y1, x1) * fx;
        const value = (top * (1 - fy) + bottom * fy) * preprocessing.rescale;
        pixels[(channel * height + row) * width + col] =
          (value - preprocessing.mean[channel]!) / preprocessing.std[channel]!;
      }
    }
  }
  return pixels;
}

/** The two source indices around `position` (clamped to `0..size−1`) and the weight of the second. */
function bilinearTaps(position: number, size: number): [number, number, number] {
  const clamped = Math.min(Math.max(position, 0), size - 1);
  const low = Math.floor(clamped);
  const high = Math.min(low + 1, size - 1);
  return [low, high, clamped - low];
}

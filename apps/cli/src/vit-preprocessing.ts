import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { InputError, SpecError } from '@weft/ir';
import type { ImagePreprocessing } from './image-input.js';

/** The image processor's settings file of a Hugging Face vision model directory. */
export const PREPROCESSOR_CONFIG_FILE = 'preprocessor_config.json';

/** `ViTImageProcessor`'s defaults (`IMAGENET_STANDARD_MEAN` / `_STD`), used without a preprocessor_config.json. */
const STANDARD_MEAN = [0.5, 0.5, 0.5] as const;
const STANDARD_STD = [0.5, 0.5, 0.5] as const;

/** The preprocessing of a ViT directory and a line saying where it came from. */
export interface VitPreprocessing {
  readonly preprocessing: ImagePreprocessing;
  /** False when the processor says `do_resize: false`: the image must already be the model's size. */
  readonly resize: boolean;
  /** One line for the user: which file (or which defaults) gave the settings. */
  readonly description: string;
}

/**
 * The image preprocessing of a ViT directory: its `preprocessor_config.json` (`size`,
 * `do_resize`, `do_rescale` / `rescale_factor`, `do_normalize` / `image_mean` / `image_std`) when
 * present, else `ViTImageProcessor`'s defaults at the config's `image_size` (resize, ×1/255,
 * mean 0.5, std 0.5), which the description says.
 *
 * @throws SpecError for a malformed file; InputError when its `size` is not the model's
 * `image_size` (Weft's ViT does not interpolate position embeddings) or it crops.
 */
export async function readVitPreprocessing(
  dir: string,
  imageSize: readonly [number, number],
): Promise<VitPreprocessing> {
  const path = join(dir, PREPROCESSOR_CONFIG_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return {
      preprocessing: { size: imageSize, rescale: 1 / 255, mean: STANDARD_MEAN, std: STANDARD_STD },
      resize: true,
      description:
        `no ${PREPROCESSOR_CONFIG_FILE}: resized to config.json's image_size ${imageSize[0]}×${imageSize[1]}, ` +
        'scaled by 1/255, normalized with mean 0.5 and std 0.5 (ViTImageProcessor defaults)',
    };
  }
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(text) as Record<string, unknown>;
  } catch (error) {
    throw new SpecError(`${PREPROCESSOR_CONFIG_FILE} is not valid JSON`, {
      actual: (error as Error).message,
    });
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config))
    throw new SpecError(`${PREPROCESSOR_CONFIG_FILE} must hold a JSON object`, { actual: typeof config });
  if (config.do_center_crop === true || config.crop_size !== undefined)
    throw new InputError(
      `${PREPROCESSOR_CONFIG_FILE}: center cropping is not supported by weft run --image`,
      {
        tensor: 'do_center_crop',
        expected: 'a processor that resizes to image_size (ViTImageProcessor)',
      },
    );
  const resize = config.do_resize !== false;
  const size = config.size === undefined ? imageSize : sizeOf(config.size);
  if (size[0] !== imageSize[0] || size[1] !== imageSize[1])
    throw new InputError(
      `${PREPROCESSOR_CONFIG_FILE}: size ${size[0]}×${size[1]} is not config.json's image_size ${imageSize[0]}×${imageSize[1]}`,
      { tensor: 'size', expected: `${imageSize[0]}×${imageSize[1]}`, actual: `${size[0]}×${size[1]}` },
    );
  const rescale = config.do_rescale === false ? 1 : numberField(config, 'rescale_factor', 1 / 255);
  const normalize = config.do_normalize !== false;
  const mean = normalize ? triple(config, 'image_mean', STANDARD_MEAN) : ([0, 0, 0] as const);
  const std = normalize ? triple(config, 'image_std', STANDARD_STD) : ([1, 1, 1] as const);
  const shown = (values: readonly number[]) => values.map((value) => Number(value.toPrecision(4))).join(', ');
  return {
    preprocessing: { size, rescale, mean, std },
    resize,
    description:
      `${PREPROCESSOR_CONFIG_FILE}: ${resize ? `resized to ${size[0]}×${size[1]}` : 'no resize'}, ` +
      `scaled by ${Number(rescale.toPrecision(4))}` +
      (normalize ? `, mean [${shown(mean)}], std [${shown(std)}]` : ', not normalized'),
  };
}

function sizeOf(value: unknown): [number, number] {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return [value, value];
  if (typeof value === 'object' && value !== null) {
    const { height, width } = value as Record<string, unknown>;
    if (Number.isInteger(height) && Number.isInteger(width)) return [height as number, width as number];
  }
  throw new InputError(`${PREPROCESSOR_CONFIG_FILE}: "size" must be {height, width} or an integer`, {
    tensor: 'size',
    expected: '{"height": H, "width": W}',
    actual: JSON.stringify(value),
  });
}

function numberField(config: Record<string, unknown>, key: string, fallback: number): number {
  const value = config[key] ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new SpecError(`${PREPROCESSOR_CONFIG_FILE}: "${key}" must be a number`, {
      tensor: key,
      actual: JSON.stringify(value),
    });
  return value;
}

function triple(
  config: Record<string, unknown>,
  key: string,
  fallback: readonly [number, number, number],
): readonly [number, number, number] {
  const value = config[key] ?? fallback;
  const values = typeof value === 'number' ? [value, value, value] : value;
  if (
    !Array.isArray(values) ||
    values.length !== 3 ||
    !values.every((entry) => typeof entry === 'number' && Number.isFinite(entry)) ||
    (key === 'image_std' && values.some((entry) => entry === 0))
  )
    throw new SpecError(`${PREPROCESSOR_CONFIG_FILE}: "${key}" must be three numbers (R, G, B)`, {
      tensor: key,
      actual: JSON.stringify(value),
    });
  return values as unknown as readonly [number, number, number];
}

import { WeftError } from '@weft/ir';

/** Whether a device was lost, shared by every program on it. */
export interface DeviceLossState {
  /** Why the device was lost (a message for errors), once it was. */
  lost: string | undefined;
}

const states = new WeakMap<GPUDevice, DeviceLossState>();

/**
 * The loss state of `device`, watched through one `device.lost` callback per device (not one per
 * program): a program only reads the shared record, so the pending `lost` promise of a live device
 * keeps no destroyed program alive.
 */
export function deviceLossOf(device: GPUDevice): DeviceLossState {
  let state = states.get(device);
  if (state === undefined) {
    const created: DeviceLossState = { lost: undefined };
    state = created;
    states.set(device, created);
    void device.lost.then((info) => {
      created.lost = `the WebGPU device was lost (${info.reason}): ${info.message}`;
    });
  }
  return state;
}

/**
 * A WebGPU rejection of a run (a `mapAsync` aborted because the device was lost: a DOMException
 * `AbortError`, often with an empty message) as a WeftError that says what happened; `lost` is the
 * device's loss message, if it was lost.
 */
export function gpuFailure(error: unknown, lost: string | undefined): WeftError {
  const name = error instanceof Error ? error.name : typeof error;
  const message = error instanceof Error && error.message !== '' ? error.message : 'no message';
  if (lost !== undefined || name === 'AbortError') {
    return new WeftError(
      'device-lost',
      `the run was aborted: ${lost ?? 'the WebGPU device was lost or destroyed'} (${name}: ${message})`,
      {},
      { cause: error },
    );
  }
  return new WeftError(
    'gpu-error',
    `the run failed on the device (${name}: ${message})`,
    {},
    { cause: error },
  );
}

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

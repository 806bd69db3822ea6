// Typed errors of greeting selection, rename, record-by-phone and safe delete. Each carries what a surface needs to
// hide the feature (`reason`) or to name what is in the way (`slots`), and a message saying what to do.
import { SELECTION_SLOT_LABELS, type SelectionSlot } from '../domain.js';
import { VmgsError } from '../errors.js';

const labels = (slots: readonly SelectionSlot[]): string => slots.map((s) => SELECTION_SLOT_LABELS[s]).join(', ');

/** This PBX's API does not let us read or choose these slots. `reason` is the text to show where the feature is hidden. */
export class SelectionUnsupportedError extends VmgsError {
  readonly reason: string;
  readonly slots: SelectionSlot[];
  constructor(ext: string, slots: readonly SelectionSlot[], reason: string) {
    super('pbx', 'PBX_SELECTION_UNSUPPORTED', `Cannot choose the greeting for ${labels(slots)} on extension ${ext}: ${reason}`, { detail: { ext, slots: [...slots], reason } });
    this.reason = reason;
    this.slots = [...slots];
  }
}

/** The PBX accepted the update but reading it back shows a different choice. */
export class SelectionNotTakenError extends VmgsError {
  constructor(ext: string, slots: readonly SelectionSlot[], wanted: string, detail: Record<string, unknown> = {}) {
    super(
      'pbx',
      'PBX_SELECTION_NOT_TAKEN',
      `The PBX did not take "${wanted}" for ${labels(slots)} on extension ${ext}: reading the extension back still shows the old choice. Choose it on the PBX web portal (Extension > Voicemail) and report this PBX's firmware version.`,
      { detail: { ext, slots: [...slots], wanted, ...detail } },
    );
  }
}

/** The greeting plays for some statuses, so it was not deleted. */
export class GreetingInUseError extends VmgsError {
  readonly slots: SelectionSlot[];
  constructor(ext: string, fileName: string, slots: readonly SelectionSlot[]) {
    super(
      'pbx',
      'GREETING_IN_USE',
      `${fileName} plays on extension ${ext} for ${labels(slots)}, so it was not deleted. Choose another greeting for ${slots.length === 1 ? 'that status' : 'those statuses'} first, or let the delete put ${slots.length === 1 ? 'it' : 'them'} back to the default.`,
      { detail: { ext, fileName, slots: [...slots] } },
    );
    this.slots = [...slots];
  }
}

/** The PBX has no rename call (`extension_vm_greeting/update` answers 10001). */
export class RenameUnsupportedError extends VmgsError {
  readonly reason: string;
  constructor() {
    const reason = 'This PBX does not offer renaming greetings through its API (extension_vm_greeting/update answers 10001 INTERFACE NOT EXISTED).';
    super('pbx', 'PBX_RENAME_UNSUPPORTED', `${reason} Upload the greeting again under the new name and delete the old one, or update the PBX firmware.`, { detail: { reason } });
    this.reason = reason;
  }
}

/** Record by phone: the call was placed but no greeting appeared in time. */
export class RecordTimeoutError extends VmgsError {
  constructor(ext: string, phone: string, name: string, seconds: number) {
    super(
      'pbx',
      'PBX_RECORD_TIMEOUT',
      `Extension ${phone} was called to record "${name}" for extension ${ext}, but no greeting of that name appeared within ${seconds} s. The call may not have been answered, or it was hung up before the recording was saved. Check the list later (vmgreet greetings list --ext ${ext}) or try again.`,
      { detail: { ext, phone, name, seconds } },
    );
  }
}

/** A greeting named by a person does not exist on the extension, or the name fits several. */
export class GreetingNotFoundError extends VmgsError {
  constructor(ext: string, name: string, candidates: readonly string[] = []) {
    super(
      'input',
      candidates.length > 1 ? 'GREETING_AMBIGUOUS' : 'GREETING_NOT_FOUND',
      candidates.length > 1
        ? `"${name}" fits several greetings of extension ${ext} (${candidates.join(', ')}): give the full file name.`
        : `Extension ${ext} has no greeting named "${name}". List them with: vmgreet greetings list --ext ${ext}`,
      { detail: { ext, name, ...(candidates.length > 1 ? { candidates: [...candidates] } : {}) } },
    );
  }
}

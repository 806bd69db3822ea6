// A greeting appeared or changed on the PBX outside the greeting list (record by phone): the list of that
// extension reloads and highlights it. One tiny shared state so the workspace needs no extra wiring.
export const greetBus = $state<{ version: number; ext: string; file: string | null }>({ version: 0, ext: '', file: null });

export function greetingsChanged(ext: string, file: string | null): void {
  greetBus.ext = ext;
  greetBus.file = file;
  greetBus.version += 1;
}

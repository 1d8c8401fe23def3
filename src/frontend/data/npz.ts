/** NumPy .npz archives (numpy.savez / savez_compressed: a zip of .npy members) through fflate. */
import type * as Fflate from "fflate";
import { lazyPackage } from "../../util/lazy.js";
import { QuantrtlError } from "../../util/errors.js";
import { DataArray } from "./array.js";
import { readNpy } from "./npy.js";

const fflate = lazyPackage<typeof Fflate>("fflate");

export interface NpzArchive {
  readonly file: string;
  /** Array names (member names without ".npy"). */
  readonly names: readonly string[];
  read(name: string, flag: string): DataArray;
}

export function openNpz(bytes: Uint8Array, file: string): NpzArchive {
  let members: Record<string, Uint8Array>;
  try {
    members = fflate().unzipSync(bytes);
  } catch (err) {
    throw new QuantrtlError(file, "npz", `is not a readable .npz (zip: ${(err as Error).message})`, "write it with numpy.savez or numpy.savez_compressed");
  }
  const arrays = new Map<string, Uint8Array>();
  for (const [member, data] of Object.entries(members)) if (member.endsWith(".npy")) arrays.set(member.slice(0, -4), data);
  if (arrays.size === 0) throw new QuantrtlError(file, "npz", "holds no .npy arrays", "write it with numpy.savez(file, x=images, y=labels)");
  const names = [...arrays.keys()];
  return {
    file,
    names,
    read(name, flag) {
      const bytes = arrays.get(name);
      if (!bytes) throw new QuantrtlError(file, flag, `has no array "${name}"`, `its arrays: ${names.join(", ")}; name the one to use with ${flag} <name>`);
      return readNpy(bytes, file, name);
    },
  };
}

/**
 * Reference workloads for the ARRAY model: AlexNet conv1 and conv2, ResNet-20 (CIFAR)
 * and DeiT-Tiny (optionally token-pruned or slimmed). Shapes only: these are
 * for cycle and traffic prediction, not for the golden reference.
 */
import { QuantrtlError } from "../../util/errors.js";
import type { ArrayDatapath, ConvWorkloadLayer, MatmulWorkloadLayer, Workload, WorkloadLayer } from "./workload.js";

/** AlexNet conv1: 227×227×3 → 96 channels, 11×11, stride 4, no padding (55×55 outputs). */
export function alexnetConv1(datapath: ArrayDatapath = "mac"): Workload {
  return {
    name: "alexnet-conv1",
    datapath,
    layers: [{ kind: "conv", name: "conv1", inH: 227, inW: 227, inC: 3, outC: 96, kH: 11, kW: 11, stride: 4, pad: 0 }],
  };
}

/**
 * AlexNet conv2 as SCALE-Sim v2 lists it (topologies/conv_nets/alexnet.csv):
 * 27×27×96 → 256 channels, 5×5, stride 1, no padding (23×23 outputs), one group.
 * Kept in SCALE-Sim's shape so the array model compares with its figures.
 */
export function alexnetConv2(datapath: ArrayDatapath = "mac"): Workload {
  return {
    name: "alexnet-conv2",
    datapath,
    layers: [{ kind: "conv", name: "conv2", inH: 27, inW: 27, inC: 96, outC: 256, kH: 5, kW: 5, stride: 1, pad: 0 }],
  };
}

function conv3x3(name: string, size: number, inC: number, outC: number, stride: number): ConvWorkloadLayer {
  return { kind: "conv", name, inH: size, inW: size, inC, outC, kH: 3, kW: 3, stride, pad: 1 };
}

/**
 * ResNet-20 for CIFAR-10 (He et al. 2016, §4.2): a 3×3 stem to 16 channels,
 * three stages of three basic blocks (two 3×3 convs each) at 16/32/64 channels,
 * stride 2 at the first conv of stages 2 and 3 with a 1×1 stride-2 projection
 * on the shortcut, then global average pooling (no MACs; omitted) and a
 * 64 → 10 dense layer.
 */
export function resnet20Cifar(datapath: ArrayDatapath = "mac"): Workload {
  const layers: WorkloadLayer[] = [conv3x3("conv1", 32, 3, 16, 1)];
  const widths = [16, 32, 64];
  let size = 32;
  let inC = 16;
  widths.forEach((width, stage) => {
    for (let block = 0; block < 3; block++) {
      const downsample = stage > 0 && block === 0;
      const stride = downsample ? 2 : 1;
      const prefix = `s${stage + 1}b${block + 1}`;
      layers.push(conv3x3(`${prefix}.conv1`, size, inC, width, stride));
      if (downsample) {
        layers.push({ kind: "conv", name: `${prefix}.proj`, inH: size, inW: size, inC, outC: width, kH: 1, kW: 1, stride: 2, pad: 0 });
        size /= 2;
      }
      layers.push(conv3x3(`${prefix}.conv2`, size, width, width, 1));
      inC = width;
    }
  });
  layers.push({ kind: "matmul", name: "fc", M: 1, K: 64, N: 10 });
  return { name: "resnet20-cifar", datapath, layers };
}

export interface DeitOptions {
  readonly depth?: number;
  readonly dim?: number;
  readonly heads?: number;
  readonly mlp?: number;
  /** Tokens including the class token (196 patches of 16×16 on 224×224, + 1). */
  readonly tokens?: number;
  /** Token keep ratio per block, in (0, 1] (pruned ViTs such as DynamicViT / EViT). */
  readonly keepRatio?: readonly number[];
  /**
   * Attention width per block (slimmed ViTs such as ViT-Slim): the Q/K/V width
   * of block b, split over `heads`; the residual stream stays `dim` so the
   * blocks still chain (the projection maps dims[b] back to dim).
   */
  readonly dims?: readonly number[];
  readonly datapath?: ArrayDatapath;
  readonly name?: string;
}

function optionError(path: string, problem: string, hint: string): never {
  throw new QuantrtlError(undefined, path, problem, hint);
}

/**
 * Tokens block b processes: ceil(tokens · keep), never fewer than one because
 * the class token is always kept (the head reads it).
 */
export function keptTokens(tokens: number, keep: number): number {
  return Math.max(1, Math.ceil(tokens * keep));
}

/**
 * DeiT-Tiny (Touvron et al. 2021): 16×16 patch embedding 224×224×3 → 192,
 * `depth` blocks of [QKV, Q·Kᵀ per head, A·V per head, projection, MLP fc1, fc2]
 * and a 192 → 1000 head on the class token. Softmax, GELU and LayerNorm carry
 * no MACs and are left out. About 1.25 G MACs per image at the defaults.
 */
export function deitTiny(options: DeitOptions = {}): Workload {
  const { depth = 12, dim = 192, heads = 3, mlp = 768, tokens = 197, datapath = "mac" } = options;
  for (const [key, value] of Object.entries({ depth, dim, heads, mlp, tokens })) {
    if (!Number.isInteger(value) || value <= 0) optionError(key, `${key} must be a positive integer, got ${JSON.stringify(value)}`, "use an integer ≥ 1");
  }
  const keep = options.keepRatio ?? new Array<number>(depth).fill(1);
  const dims = options.dims ?? new Array<number>(depth).fill(dim);
  if (keep.length !== depth) optionError("keepRatio", `keepRatio has ${keep.length} entries for ${depth} blocks`, "give one ratio per block");
  if (dims.length !== depth) optionError("dims", `dims has ${dims.length} entries for ${depth} blocks`, "give one width per block");
  keep.forEach((k, b) => {
    if (!(typeof k === "number" && k > 0 && k <= 1)) optionError(`keepRatio[${b}]`, `keep ratio must be in (0, 1], got ${JSON.stringify(k)}`, "e.g. 0.7");
  });
  dims.forEach((d, b) => {
    if (!Number.isInteger(d) || d <= 0 || d % heads !== 0)
      optionError(`dims[${b}]`, `block width ${JSON.stringify(d)} must be a positive multiple of heads = ${heads}`, `e.g. ${dim}`);
  });

  // Patches of 16×16 on a square image: tokens − 1 = (image / 16)², 224×224 at 197 tokens.
  const patch = 16;
  const side = Math.round(Math.sqrt(tokens - 1));
  if (side < 1 || side * side !== tokens - 1)
    optionError("tokens", `tokens − 1 = ${tokens - 1} is not a square number of patches`, "e.g. 197 (14×14 + 1) or 577 (24×24 + 1)");
  const image = patch * side;
  const layers: WorkloadLayer[] = [
    { kind: "conv", name: "patch_embed", inH: image, inW: image, inC: 3, outC: dim, kH: patch, kW: patch, stride: patch, pad: 0 },
  ];
  for (let b = 0; b < depth; b++) {
    const t = keptTokens(tokens, keep[b]);
    const width = dims[b];
    const headDim = width / heads;
    const mm = (name: string, M: number, K: number, N: number, batch = 1): MatmulWorkloadLayer =>
      batch === 1 ? { kind: "matmul", name: `blk${b}.${name}`, M, K, N } : { kind: "matmul", name: `blk${b}.${name}`, M, K, N, batch };
    layers.push(
      mm("qkv", t, dim, 3 * width),
      mm("q_kT", t, headDim, t, heads),
      mm("a_v", t, t, headDim, heads),
      mm("proj", t, width, dim),
      mm("fc1", t, dim, mlp),
      mm("fc2", t, mlp, dim),
    );
  }
  layers.push({ kind: "matmul", name: "head", M: 1, K: dim, N: 1000 });
  return { name: options.name ?? "deit-tiny", datapath, layers };
}

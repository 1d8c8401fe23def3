/**
 * tfjs model files on disk without tfjs-node (which registers file:// but
 * cannot install here): the same layout tfjs-node writes — model.json
 * (topology + weights manifest) beside one weights.bin — through custom
 * IOHandlers. Saving builds the folder under a temporary name and renames it
 * into place (src/util/atomic.ts).
 */
import * as tf from "@tensorflow/tfjs";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { stageDir } from "../../util/atomic.js";
import { QuantrtlError } from "../../util/errors.js";

const WEIGHTS_FILE = "weights.bin";

/** Save handler writing `<dir>/model.json` and `<dir>/weights.bin`. */
export function fileSaveHandler(dir: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const weights = new Uint8Array(artifacts.weightData === undefined ? new ArrayBuffer(0) : tf.io.CompositeArrayBuffer.join(artifacts.weightData));
      const modelJson: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as object,
        format: artifacts.format ?? "layers-model",
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: artifacts.convertedBy ?? null,
        weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: artifacts.weightSpecs ?? [] }],
      };
      if (artifacts.trainingConfig) modelJson.trainingConfig = artifacts.trainingConfig;
      if (artifacts.userDefinedMetadata) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
      // a folder holding just these two files is an earlier save (the committed models/float/* folders carry no marker, and get none)
      const staged = stageDir(dir, { knownFiles: ["model.json", WEIGHTS_FILE], marker: false });
      try {
        writeFileSync(join(staged.path, "model.json"), JSON.stringify(modelJson));
        writeFileSync(join(staged.path, WEIGHTS_FILE), weights);
        staged.commit();
      } catch (e) {
        staged.discard();
        throw staged.explain(e);
      }
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: "JSON",
          modelTopologyBytes: JSON.stringify(artifacts.modelTopology).length,
          weightSpecsBytes: JSON.stringify(artifacts.weightSpecs).length,
          weightDataBytes: weights.byteLength,
        },
      };
    },
  };
}

/** Load handler reading what fileSaveHandler wrote. */
export function fileLoadHandler(dir: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const jsonPath = join(dir, "model.json");
      if (!existsSync(jsonPath))
        throw new QuantrtlError(jsonPath, "model.json", "no tfjs model here", "train one with `npm run train -- mnist-adder|mnist-xnor|mnist-mac`");
      const modelJson = JSON.parse(readFileSync(jsonPath, "utf8")) as tf.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const specs = manifest.flatMap((group) => group.weights);
        const buffers = manifest.flatMap((group) => group.paths.map((p) => bufferOf(readFileSync(join(dir, p)))));
        return [specs, tf.io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}

function bufferOf(data: Buffer): ArrayBuffer {
  return data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
}

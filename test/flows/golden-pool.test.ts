/**
 * The golden model over a dataset on a worker pool (src/flows/golden-pool.ts): the
 * same classes with one job (this thread) and with two worker threads, equal to the
 * reference kernels' classes; and the CLI's accuracy figures equal with --jobs 1 and 2.
 */
import { describe, expect, test } from "vitest";
import { loadModel } from "../../src/ir/load.js";
import { randomTensor } from "../../src/ir/inputs.js";
import { predictDataset, predictedClass } from "../../src/flows/golden-pool.js";
import { runGoldenReference } from "../../src/hw/golden/reference/network.js";
import { runCli } from "../helpers/cli.js";

describe("golden dataset pool", () => {
  for (const name of ["mnist-xnor", "mnist-adder"]) {
    test(`${name}: the same classes with 1 and 2 jobs, equal to the reference kernels`, async () => {
      const model = loadModel(`models/${name}.json`);
      const inputs = Array.from({ length: 40 }, (_, i) => randomTensor(model.input, 100 + i));
      const progress: number[] = [];
      const two = await predictDataset(model, inputs, 2, (done) => progress.push(done));
      const one = await predictDataset(model, inputs, 1);
      expect(Array.from(two)).toEqual(Array.from(one));
      const reference = inputs.map((x) => predictedClass(model, runGoldenReference(model, x).layers[model.layers.length - 1]));
      expect(Array.from(one)).toEqual(reference);
      expect(new Set(reference).size).toBeGreaterThan(1); // random inputs reach more than one class: a shifted run would show
      expect(progress[progress.length - 1]).toBe(inputs.length);
    });
  }

  test("quantrtl run --dataset gives the same figures with --jobs 1 and --jobs 2", async () => {
    const args = ["run", "models/mnist-xnor.json", "--dataset", "mnist-test", "--limit", "300", "--json"];
    const [one, two] = [await runCli([...args, "--jobs", "1"]), await runCli([...args, "--jobs", "2"])];
    expect(one.status, one.stderr).toBe(0);
    expect(two.status, two.stderr).toBe(0);
    const figures = JSON.parse(one.stdout) as { images: number; integerTop1: number };
    expect(figures.images).toBe(300);
    expect(figures.integerTop1).toBeGreaterThan(0.5);
    expect(JSON.parse(two.stdout)).toEqual(figures);
  });
});

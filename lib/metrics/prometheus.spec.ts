import { describe, expect, it } from "vitest";
import { renderPrometheus } from "./prometheus";

describe("renderPrometheus", () => {
  it("writes HELP/TYPE lines, labels with escaped values, suffixes and +Inf", () => {
    const text = renderPrometheus([
      { name: "x_total", help: "a counter", type: "counter", samples: [{ labels: { model: 'a"b\\c' }, value: 3 }] },
      { name: "d_seconds", help: "h", type: "histogram", samples: [{ suffix: "_bucket", labels: { le: "+Inf" }, value: 2 }, { suffix: "_sum", value: Infinity }] },
    ]);
    expect(text).toBe(
      '# HELP x_total a counter\n# TYPE x_total counter\nx_total{model="a\\"b\\\\c"} 3\n' +
        '# HELP d_seconds h\n# TYPE d_seconds histogram\nd_seconds_bucket{le="+Inf"} 2\nd_seconds_sum +Inf\n',
    );
  });
});

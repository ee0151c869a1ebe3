# Renders a QIR result file's tables the way the QUIC Interop Runner does with --markdown
# (run.py / interop.py _print_results: prettytable MARKDOWN style, cells
# "✓(...)<br>?(...)<br>✕(...)"), to produce the golden file test_markdown compares quire's
# output with. One deliberate difference, also made by quire: measurement lines are joined
# with "<br>" instead of "\n", which would end the Markdown row.
# Produced with prettytable 3.18: python3 prettytable_ref.py qir_3x2.json > qir_3x2.tables.md
import json
import sys

import prettytable

d = json.load(open(sys.argv[1]))
sym = {"succeeded": "\u2713", "unsupported": "?", "failed": "\u2715"}


def table(key, cell):
    t = prettytable.PrettyTable()
    t.set_style(prettytable.MARKDOWN)
    t.field_names = [""] + d["servers"]
    i = 0
    for c in d["clients"]:
        row = [c]
        for _ in d["servers"]:
            row.append(cell(d[key][i]))
            i += 1
        t.add_row(row)
    print(t)


table("results", lambda res: "<br>".join(
    sym[k] + "(" + ",".join(x["abbr"] for x in res if x["result"] == k) + ")"
    for k in ("succeeded", "unsupported", "failed")))
print()
table("measurements", lambda res: "<br>".join(
    x["abbr"] + (": " + x["details"] if x["result"] == "succeeded" else "") for x in res))

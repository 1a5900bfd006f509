"""Figures and report.md of one harness run.

usage: harness/report.py RESULTS_DIR [--plots-dir DIR]

Reads RESULTS_DIR/{runs,syscalls,perf,summary}.csv and meta.json (each optional), writes PNG and SVG
figures into DIR (default: <repo>/plots/<run-id>, run-id = the name of RESULTS_DIR) and
RESULTS_DIR/report.md, which embeds the figures by relative path.
"""
import argparse
import os
import sys

from hakbench import plots, program_plots, program_report, report_md
from hakbench.allocators import REPO
from hakbench.run_data import RunData


def main(argv=None):
    parser = argparse.ArgumentParser(description="Draw the figures of a run and write its report.md.")
    parser.add_argument("results_dir", help="a run's directory, e.g. results/latest")
    parser.add_argument("--plots-dir", help="where the figures go (default: plots/<run-id> in the repo)")
    args = parser.parse_args(argv)
    if not os.path.isdir(args.results_dir):
        parser.error("%s is not a directory" % args.results_dir)

    data = RunData(args.results_dir)
    plots_dir = args.plots_dir or os.path.join(REPO, "plots", data.run_id)
    figures, skipped = plots.render_all(data, plots_dir)
    try:
        figures.insert(0, program_plots.relative(data, data.programs(), plots.colours_for(data.allocators()),
                                                 plots_dir))
    except plots.Skip as why:
        if data.programs():
            skipped.append((program_plots.NAME, str(why)))
    report = os.path.join(data.dir, "report.md")
    report_md.write(data, figures, skipped, plots_dir, report, program_report.section(data, data.programs()))

    for note in data.notes:
        print("note: %s" % note)
    for name, why in skipped:
        print("skipped figure %s: %s" % (name, why))
    print("%d figures (PNG and SVG) in %s" % (len(figures), plots_dir))
    print("report: %s" % report)
    return 0


if __name__ == "__main__":
    sys.exit(main())

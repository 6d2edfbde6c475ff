"""Benchmark docker-python-hooks against hadolint, tally and the machine's floors.

Run it from the repository root with the interpreter that has the package installed
(its console scripts are looked up next to that interpreter, then on ``PATH``):

    python benchmarks/run.py
    HADOLINT=/opt/bench/bin/hadolint TALLY=/opt/bench/bin/tally python benchmarks/run.py
    python benchmarks/run.py --corpus DIR --repeat 9 --output -

In one run it generates two corpora with ``../shared/bench/gen_corpus.py --n 2000``:
the default one, where file after file repeats the same lines, and ``--vary``, where
every folder has its own package names, versions, paths, users and ports, as real
repositories do (or it copies ``--corpus DIR`` instead). Each goes into a scratch git
repository under ``benchmarks/.work/``. It then times, side by side, each command in a
fresh child process:

* on each corpus: the read floor (a Python process that only reads and decodes the
  files the linter reads); ``docker-python-hooks check .`` (every rule, one process);
  each single-purpose hook of ``.pre-commit-hooks.yaml`` over its matching files, one
  invocation per command-line-sized batch, as pre-commit would call it; ``hadolint``
  with all Dockerfile paths in one invocation, and ``tally lint`` with its defaults
  and with its ShellCheck rules off (``--ignore shellcheck/*``), both with
  ``--slow-checks off`` (those query image registries, not the files), when the
  binaries are found (``$HADOLINT``/``$TALLY``, else ``PATH``);
* ``python -c pass`` (the interpreter floor);
* on the varied corpus (or the given one): the cold start of each hook (and of the
  all-rules command) on one file, with what it imports (modules and their import
  time, from ``python -X importtime``), and ``pre-commit run --all-files`` with every
  hook id of this repository (``repo:`` this checkout, ``rev:`` HEAD; environments
  installed and a warm-up run done before timing), and the hadolint hook alone the
  same way.

Each command runs once untimed (warm caches, ``.pyc`` files written), then
``--repeat`` times, interleaved with the others. Reported: median wall time, the
ratios to hadolint and to the read floor, and peak memory (``ru_maxrss`` of the
command's process tree, measured by a small wrapper process per run). The
Markdown result, with the machine it ran on, is printed and written to
``benchmarks/RESULTS.md``. Every target is reported met or not met, with the corpus
it is measured on: issue 9's targets on the varied corpus, issue 4's (the earlier
ones) on the default corpus.

``--smoke`` (a few files, one repetition, no external tools) checks that the
script works; it is what ``tests/benchmarks_test.py`` runs.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shlex
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable, Sequence
from typing import NamedTuple

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_GENERATOR = os.path.join(os.path.dirname(ROOT), "shared", "bench", "gen_corpus.py")
DEFAULT_WORK = os.path.join(ROOT, "benchmarks", ".work")
DEFAULT_OUTPUT = os.path.join(ROOT, "benchmarks", "RESULTS.md")
MAX_COMMAND_BYTES = 2**17  # pre-commit's cap on one command line (pre_commit.xargs)
MIB = 1024  # ru_maxrss is in KiB on Linux

# Targets of issue 9, on the varied corpus (``gen_corpus.py --vary``).
VARY_MIN_SPEEDUP_VS_HADOLINT = 25.0
VARY_MAX_PEAK_MIB = 50.0
MAX_COLD_RATIO = 3.0
# Targets of issue 4, on the default corpus.
MIN_SPEEDUP_VS_HADOLINT = 30.0
MAX_RATIO_TO_READ_FLOOR = 15.0
MAX_PEAK_MIB = 60.0

# Runs a list of commands one after another in a fresh process, so that
# RUSAGE_CHILDREN is the peak of this measurement only; prints JSON.
_WRAPPER = """\
import json, resource, subprocess, sys, time
spec = json.loads(sys.stdin.read())
out = open(spec["stdout"], "wb") if spec["stdout"] else subprocess.DEVNULL
err = subprocess.STDOUT if spec["stdout"] else subprocess.DEVNULL
codes = []
start = time.perf_counter()
for argv in spec["batches"]:
    codes.append(subprocess.run(argv, cwd=spec["cwd"], stdin=subprocess.DEVNULL,
                                stdout=out, stderr=err).returncode)
wall = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"wall": wall, "peak_kib": peak, "codes": codes}))
"""

_READ_FLOOR = """\
import sys
with open(sys.argv[1], encoding="utf-8") as listing:
    for path in listing.read().splitlines():
        with open(path, "rb") as handle:
            handle.read().decode("utf-8")
"""


class Hook(NamedTuple):
    """One entry of ``.pre-commit-hooks.yaml`` (the fields the benchmark needs)."""

    id: str
    entry: str
    files: str
    exclude: str


class Corpus(NamedTuple):
    """One corpus: ``default``, ``vary`` or ``given`` (``--corpus DIR``)."""

    name: str
    title: str  # how the report names it
    repo: str  # its scratch git repository


class Job(NamedTuple):
    key: str  # "<corpus>/<what>" for a run over a whole corpus
    label: str
    batches: list[list[str]]
    files: int
    repeat: int
    ours: bool  # a command of this project: a crash fails the benchmark
    cwd: str


class ImportCost(NamedTuple):
    """What a command imports at start-up (``-X importtime``): modules, summed self time."""

    modules: int
    seconds: float


class Result(NamedTuple):
    job: Job
    walls: list[float]
    peak_kib: int
    codes: tuple[int, ...]
    error: str  # why the warm-up run looks broken, or ""

    @property
    def median(self) -> float:
        return statistics.median(self.walls)


# ---------------------------------------------------------------------------
# The manifest (a flat YAML list of mappings; read without a YAML library)
# ---------------------------------------------------------------------------

def _scalar(value: str) -> str:
    if value.startswith("'"):
        return value[1:value.rindex("'")].replace("''", "'")
    if value.startswith('"'):
        return str(json.loads(value[:value.rindex('"') + 1]))
    return re.sub(r"\s+#.*$", "", value).strip()


def _fixer(hook: Hook) -> bool:
    """A fixer entry (``check-x --fix``): it rewrites files, so it is not timed."""
    return hook.entry.endswith(" --fix")


def read_manifest(text: str) -> list[Hook]:
    """The hooks of a ``.pre-commit-hooks.yaml`` (scalar values; lists kept as text)."""
    entries: list[dict[str, str]] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("-"):
            entries.append({})
            line = line[1:].strip()
        key, sep, value = line.partition(":")
        if sep and entries:
            entries[-1][key.strip()] = _scalar(value.strip())
    return [
        Hook(e["id"], e.get("entry", e["id"]), e.get("files", ""), e.get("exclude", "^$"))
        for e in entries if "id" in e
    ]


def matching(hook: Hook, files: Iterable[str]) -> list[str]:
    """The files pre-commit would pass to ``hook`` (by ``files``/``exclude``)."""
    include, exclude = re.compile(hook.files), re.compile(hook.exclude)
    return [f for f in files if include.search(f) and not exclude.search(f)]


# ---------------------------------------------------------------------------
# Commands
# ---------------------------------------------------------------------------

def batches(command: list[str], files: Sequence[str], limit: int = MAX_COMMAND_BYTES) -> list[list[str]]:
    """``command + files`` split into command lines of at most ``limit`` bytes."""
    base = sum(len(part.encode()) + 1 for part in command)
    out: list[list[str]] = []
    current: list[str] = []
    size = base
    for name in files:
        cost = len(name.encode()) + 1
        if current and size + cost > limit:
            out.append(command + current)
            current, size = [], base
        current.append(name)
        size += cost
    if current or not out:
        out.append(command + current)
    return out


def find_script(name: str, python: str) -> list[str]:
    """A console script next to ``python``, else on PATH, else ``python -m hooks.<name>``."""
    beside = os.path.join(os.path.dirname(python), name)
    if os.access(beside, os.X_OK):
        return [beside]
    found = shutil.which(name)
    if found:
        return [found]
    return [python, "-m", "hooks." + name.replace("-", "_")]


def find_tool(name: str) -> str | None:
    """An external tool named by ``$NAME`` (upper case), else found on PATH."""
    configured = os.environ.get(name.upper())
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    return shutil.which(name)


def child_env(pre_commit_home: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # a real install has its .pyc files
    env["PRE_COMMIT_HOME"] = pre_commit_home
    env["PRE_COMMIT_COLOR"] = "never"
    env["SKIP"] = ""
    return env


def run_once(
    python: str, job: Job, cwd: str, env: dict[str, str], log: str | None
) -> tuple[float, int, tuple[int, ...]]:
    spec = json.dumps({"batches": job.batches, "cwd": cwd, "stdout": log})
    done = subprocess.run(
        [python, "-c", _WRAPPER], input=spec, capture_output=True, text=True, env=env, check=True,
    )
    data = json.loads(done.stdout)
    return float(data["wall"]), int(data["peak_kib"]), tuple(data["codes"])


def log_path(logs: str, key: str) -> str:
    return os.path.join(logs, re.sub(r"[^\w.-]+", "_", key) + ".log")


def measure(python: str, jobs: Sequence[Job], env: dict[str, str], logs: str) -> dict[str, Result]:
    """A warm-up run of every job, then the timed runs, interleaved round by round."""
    os.makedirs(logs, exist_ok=True)
    walls: dict[str, list[float]] = {job.key: [] for job in jobs}
    peaks: dict[str, int] = {}
    codes: dict[str, tuple[int, ...]] = {}
    errors: dict[str, str] = {}
    for job in jobs:
        log = log_path(logs, job.key)
        _, peak, rcs = run_once(python, job, job.cwd, env, log)
        peaks[job.key], codes[job.key] = peak, rcs
        errors[job.key] = _looks_broken(rcs, log)
        _progress(f"warm-up {job.label}: exit {','.join(map(str, sorted(set(rcs))))}"
                  + (f" ({errors[job.key]})" if errors[job.key] else ""))
    for round_no in range(max((job.repeat for job in jobs), default=0)):
        for job in jobs:
            if round_no < job.repeat:
                wall, peak, _ = run_once(python, job, job.cwd, env, None)
                walls[job.key].append(wall)
                peaks[job.key] = max(peaks[job.key], peak)
        _progress(f"round {round_no + 1} done")
    return {
        job.key: Result(job, walls[job.key], peaks[job.key], codes[job.key], errors[job.key])
        for job in jobs
    }


_IMPORT_LINE = re.compile(r"^import time:\s+(\d+) \|\s+\d+ \|")


def import_cost(job: Job, env: dict[str, str], repeat: int) -> ImportCost:
    """The modules a one-command job imports and their summed self time (the least of
    ``repeat`` runs with ``PYTHONPROFILEIMPORTTIME``; the .pyc files are written by then)."""
    env = dict(env, PYTHONPROFILEIMPORTTIME="1")
    best: ImportCost | None = None
    for _ in range(max(repeat, 1)):
        done = subprocess.run(job.batches[0], cwd=job.cwd, env=env, stdin=subprocess.DEVNULL,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=False)
        selfs = [int(m.group(1)) for m in map(_IMPORT_LINE.match, done.stderr.splitlines()) if m]
        cost = ImportCost(len(selfs), sum(selfs) / 1e6)
        best = cost if best is None or cost.seconds < best.seconds else best
    assert best is not None
    return best


def _looks_broken(codes: tuple[int, ...], log: str) -> str:
    bad = sorted({rc for rc in codes if rc not in (0, 1)})
    if bad:
        return f"exit status {bad[0]}"
    with open(log, encoding="utf-8", errors="replace") as handle:
        text = handle.read()
    if "Traceback (most recent call last)" in text or "No module named" in text:
        return "traceback in the output"
    return ""


def _progress(message: str) -> None:
    sys.stderr.write(f"[bench] {message}\n")
    sys.stderr.flush()


# ---------------------------------------------------------------------------
# The corpus and the scratch repositories
# ---------------------------------------------------------------------------

def corpora(args: argparse.Namespace, work: str) -> list[Corpus]:
    """The corpora to measure; the last one is what the targets of issue 9 refer to."""
    if args.corpus:
        return [Corpus("given", f"`{args.corpus}`", os.path.join(work, "repo"))]
    generated = f"gen_corpus.py --n {args.n} --seed {args.seed}"
    out = []
    if args.corpora in ("both", "default"):
        out.append(Corpus("default", f"`{generated}` (default: file after file repeats the same lines)",
                          os.path.join(work, "repo")))
    if args.corpora in ("both", "vary"):
        out.append(Corpus("vary", f"`{generated} --vary` (varied: each folder has its own names, "
                          "versions, paths, users and ports)", os.path.join(work, "repo-vary")))
    return out


def prepare_corpus(args: argparse.Namespace, corpus: Corpus) -> None:
    repo = corpus.repo
    if os.path.isdir(repo):
        shutil.rmtree(repo)
    if corpus.name == "given":
        shutil.copytree(args.corpus, repo, ignore=shutil.ignore_patterns(".git"))
    else:
        if not os.path.isfile(args.generator):
            raise SystemExit(f"corpus generator not found: {args.generator} (use --generator or --corpus)")
        subprocess.run(
            [sys.executable, args.generator, "--n", str(args.n), "--seed", str(args.seed), "--out", repo,
             *(["--vary"] if corpus.name == "vary" else [])],
            check=True, stdout=subprocess.DEVNULL,
        )
    _git(repo, "init", "-q")
    _git(repo, "add", ".")


def _git(cwd: str, *argv: str) -> str:
    return subprocess.run(
        ["git", "-C", cwd, *argv], check=True, capture_output=True, text=True,
    ).stdout.strip()


def corpus_files(repo: str) -> list[str]:
    """Every file of the corpus, relative, ``/``-separated, sorted (as ``git ls-files``)."""
    return sorted(_git(repo, "ls-files").splitlines())


def pre_commit_config(work: str, name: str, repo_block: list[str]) -> str:
    """Write a pre-commit config for one repository block; return its path."""
    path = os.path.join(work, f"pre-commit-{name}.yaml")
    _write(path, "\n".join(["repos:", *repo_block]) + "\n")
    return path


def ours_block(rev: str, hook_ids: Sequence[str]) -> list[str]:
    """This checkout at ``rev`` with the given hook ids."""
    return [f"-   repo: {json.dumps(ROOT)}", f"    rev: {rev}", "    hooks:",
            *(f"    -   id: {hook_id}" for hook_id in hook_ids)]


def hadolint_block(hadolint: str, like: Hook) -> list[str]:
    """hadolint's own ``hadolint`` hook (language: system), on the files ``like`` gets."""
    return ["-   repo: local", "    hooks:", "    -   id: hadolint", "        name: hadolint",
            "        language: system", f"        entry: {json.dumps(hadolint)}",
            f"        files: {json.dumps(like.files)}", f"        exclude: {json.dumps(like.exclude)}"]


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(text)


def pre_commit_env_bin(home: str, rev: str) -> str | None:
    """The bin directory of the environment pre-commit installed for this repository."""
    db = os.path.join(home, "db.db")
    if not os.path.isfile(db):
        return None
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT path FROM repos WHERE repo = ? AND ref = ?", (ROOT, rev)).fetchone()
    if row is None:
        return None
    envs = sorted(e for e in os.listdir(row[0]) if e.startswith("py_env-"))
    return os.path.join(row[0], envs[-1], "bin") if envs else None


# ---------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------

def _secs(value: float) -> str:
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def _times(value: float) -> str:
    return f"{value:.1f}×" if value < 100 else f"{value:.0f}×"


def _mib(kib: int) -> str:
    return f"{kib / MIB:.1f} MiB"


def _label(result: Result) -> str:
    return result.job.label + (f" **({result.error})**" if result.error else "")


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()} ({platform.python_implementation()})"
    )


class CorpusInfo(NamedTuple):
    corpus: Corpus
    summary: str  # "N files; ..."
    findings: int  # lines printed by the all-rules run
    idle: str  # hook ids no file of the corpus matches


def render(results: dict[str, Result], info: dict[str, str], sections: Sequence[CorpusInfo],
           imports: dict[str, ImportCost]) -> tuple[str, bool]:
    """The Markdown report, and whether one of this project's commands looked broken."""
    get = results.get
    main_corpus = sections[-1].corpus
    out = [
        "# Benchmark results",
        "",
        f"Measured {info['date']} on {info['machine']}.  ",
        f"docker-python-hooks {info['revision']}; {info['tools']}.  ",
        f"Command: `{info['command']}`. Medians of {info['repeat']} runs after a warm-up; "
        "peak memory is the largest resident set of the command's processes.",
        "",
        "Corpora:",
        "",
        *(f"- {section.corpus.title}: {section.summary}." for section in sections),
    ]
    if len(sections) > 1:
        out += ["", f"The targets of issue 9, the cold starts and the pre-commit runs refer to the "
                    f"{main_corpus.name} corpus; the targets of issue 4 to the default corpus."]
    for section in sections:
        out += _corpus_table(results, section)
    pre = [r for r in results.values() if r.job.key.startswith("pre-commit")]
    if pre:
        hook_h = get("pre-commit:hadolint")
        out += ["", f"## `pre-commit run --all-files` (environments installed, warmed up), "
                    f"{main_corpus.name} corpus", "",
                "| hooks | median | faster than the hadolint hook | peak memory |", "|---|---:|---:|---:|"]
        for result in pre:
            vs = _times(hook_h.median / result.median) if hook_h else "n/a"
            out.append(f"| {_label(result)} | {_secs(result.median)} | {vs} | {_mib(result.peak_kib)} |")
    for env_name in ("dev", "pre-commit"):
        cold = [r for r in results.values() if r.job.key.startswith(f"cold-{env_name}:")]
        base = get("floor" if env_name == "dev" else f"pass-{env_name}")
        if not cold or base is None:
            continue
        where = ("the development environment (editable install)" if env_name == "dev"
                 else "pre-commit's installed environment (what a commit runs)")
        out += ["", f"## Cold start, one file of the {main_corpus.name} corpus, in {where}", "",
                "Import cost: the modules the command imports (the interpreter's own start-up "
                "included, as in `python -c pass`) and their summed self time "
                "(`python -X importtime`, the least of up to 3 runs).", "",
                "| command | median | × `python -c pass` | peak memory | modules imported | import time |",
                "|---|---:|---:|---:|---:|---:|"]
        for result in [base, *cold]:
            cost = imports.get(result.job.key)
            modules, seconds = (str(cost.modules), _secs(cost.seconds)) if cost else ("", "")
            out.append(f"| {_label(result)} | {_secs(result.median)} | "
                       f"{_times(result.median / base.median)} | {_mib(result.peak_kib)} | {modules} | {seconds} |")
    targets, _ = _targets(results, sections)
    out += ["", "## Targets", "", "| target | corpus | measured | status |", "|---|---|---|---|"]
    out += [f"| {name} | {corpus} | {measured} | {status} |" for name, corpus, measured, status in targets]
    broken = any(r.error and r.job.ours for r in results.values())
    return "\n".join(out) + "\n", broken


def _corpus_table(results: dict[str, Result], section: CorpusInfo) -> list[str]:
    name = section.corpus.name
    get = results.get
    hadolint, floor = get(f"{name}/hadolint"), get(f"{name}/read-floor")
    out = [
        "",
        f"## Over the whole corpus: {section.corpus.title}",
        "",
        "| command | files | median | per file | faster than hadolint | × read floor | peak memory |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    rows = [r for key, r in results.items() if key == "floor" or key.startswith(f"{name}/")]
    for result in rows:
        med = result.median
        per_file = _secs(med / result.job.files) if result.job.files else ""
        count = str(result.job.files) if result.job.files else ""
        floor_row = result.job.key in ("floor", f"{name}/read-floor")
        vs_h = "" if floor_row else _times(hadolint.median / med) if hadolint else "n/a"
        vs_floor = _times(med / floor.median) if floor else "n/a"
        out.append(f"| {_label(result)} | {count} | {_secs(med)} | {per_file} | {vs_h} "
                   f"| {vs_floor} | {_mib(result.peak_kib)} |")
    hooks = [r for r in rows if r.job.key.startswith(f"{name}/hook:")]
    if hooks:
        total = sum(r.median for r in hooks)
        out.append(f"| every single-purpose hook, one after another (sum) | | {_secs(total)} | | "
                   f"{_times(hadolint.median / total) if hadolint else 'n/a'} | "
                   f"{_times(total / floor.median) if floor else 'n/a'} | |")
    if get(f"{name}/all-rules") is not None:
        out += ["", f"The all-rules run reported {section.findings} findings."]
    if section.idle:
        out += [f"No file of the corpus matches {section.idle} (not run, as pre-commit would not run it)."]
    return out


Target = tuple[str, str, str, str]  # target, corpus, measured, status


def _targets(results: dict[str, Result], sections: Sequence[CorpusInfo]) -> tuple[list[Target], bool]:
    """(target, corpus, measured, status) rows; issue 9's on the last corpus, issue 4's on the default one."""
    get = results.get
    rows: list[Target] = []

    def verdict(ok: bool) -> str:
        return "met" if ok else "**not met**"

    names = [section.corpus.name for section in sections]
    main_name = names[-1]
    old_name = "default" if "default" in names else main_name

    def speed(name: str, issue: int, minimum: float) -> None:
        target = f"all rules ≥ {minimum:.0f}× faster than hadolint (issue {issue})"
        allr, hadolint = get(f"{name}/all-rules"), get(f"{name}/hadolint")
        if allr and hadolint:
            speedup = hadolint.median / allr.median
            rows.append((target, name, f"{speedup:.1f}× faster", verdict(speedup >= minimum)))
        else:
            rows.append((target, name, "hadolint not found", "not measured"))

    def memory(name: str, issue: int, maximum: float) -> None:
        allr = get(f"{name}/all-rules")
        if allr:
            rows.append((f"all rules: peak memory < {maximum:.0f} MiB (issue {issue})", name,
                         _mib(allr.peak_kib), verdict(allr.peak_kib / MIB < maximum)))

    speed(main_name, 9, VARY_MIN_SPEEDUP_VS_HADOLINT)
    memory(main_name, 9, VARY_MAX_PEAK_MIB)
    env_name = "pre-commit" if get("pass-pre-commit") else "dev"
    base = get("floor" if env_name == "dev" else f"pass-{env_name}")
    cold = [r for r in results.values() if r.job.key.startswith(f"cold-{env_name}:hook:")]
    if base and cold:
        worst = max(cold, key=lambda r: r.median)
        ratio = worst.median / base.median
        rows.append((f"one hook, one file, cold ≤ 3× `python -c pass` ({env_name} environment; issues 4 and 9)",
                     main_name, f"{ratio:.2f}× (slowest: {worst.job.label}, {_secs(worst.median)} "
                     f"vs {_secs(base.median)})", verdict(ratio <= MAX_COLD_RATIO)))
    for result in results.values():
        if result.job.key.startswith(f"cold-{env_name}:all:") and base:
            rows.append((f"(for information) the all-rules hook, one file, cold ({env_name} environment)", main_name,
                         f"{result.median / base.median:.2f}× `python -c pass` ({_secs(result.median)})", ""))
    speed(old_name, 4, MIN_SPEEDUP_VS_HADOLINT)
    allr, floor = get(f"{old_name}/all-rules"), get(f"{old_name}/read-floor")
    if allr and floor:
        ratio = allr.median / floor.median
        rows.append(("all rules within 15× of the read floor (issue 4)", old_name, f"{ratio:.1f}× the read floor",
                     verdict(ratio <= MAX_RATIO_TO_READ_FLOOR)))
    memory(old_name, 4, MAX_PEAK_MIB)
    ours, theirs = get("pre-commit:ours"), get("pre-commit:hadolint")
    target = "pre-commit with every hook faster than the hadolint hook alone (issue 4)"
    if ours and theirs:
        rows.append((target, main_name, f"{_secs(ours.median)} vs {_secs(theirs.median)}",
                     verdict(ours.median < theirs.median)))
    elif ours:
        rows.append((target, main_name, "hadolint not found", "not measured"))
    return rows, all(status != "**not met**" for *_, status in rows)


# ---------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------

def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n", 1)[0])
    parser.add_argument("--corpus", metavar="DIR", help="benchmark this directory instead of generating one")
    parser.add_argument("--generator", default=DEFAULT_GENERATOR, metavar="PY",
                        help="the corpus generator (default: %(default)s)")
    parser.add_argument("--corpora", choices=("both", "default", "vary"), default="both",
                        help="which generated corpora to measure (default: %(default)s)")
    parser.add_argument("--n", type=int, default=2000, help="Dockerfiles to generate (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each command (default: 5)")
    parser.add_argument("--tool-repeat", type=int, default=3,
                        help="timed runs of hadolint, tally and the hadolint hook (default: 3)")
    parser.add_argument("--cold-repeat", type=int, default=20,
                        help="timed runs of each one-file cold start (default: 20)")
    parser.add_argument("--work", default=DEFAULT_WORK, metavar="DIR",
                        help="scratch directory (default: benchmarks/.work)")
    parser.add_argument("--output", default=DEFAULT_OUTPUT, metavar="FILE",
                        help="where to write the Markdown table ('-': nowhere; default: %(default)s)")
    parser.add_argument("--python", default=sys.executable,
                        help="the interpreter with the package installed (default: this one)")
    parser.add_argument("--no-tools", action="store_true", help="skip hadolint and tally")
    parser.add_argument("--no-pre-commit", action="store_true", help="skip the pre-commit runs")
    parser.add_argument("--smoke", action="store_true",
                        help="a quick check that the script works: --n 6, one run each, no external tools")
    args = parser.parse_args(argv)
    if args.smoke:
        args.n, args.repeat, args.tool_repeat, args.cold_repeat, args.no_tools = 6, 1, 1, 1, True
    return args


def _all_rules(hook: Hook) -> bool:
    return shlex.split(hook.entry)[0] == "docker-python-hooks"


def _hook_command(hook: Hook, python: str) -> list[str]:
    entry = shlex.split(hook.entry)
    return [*find_script(entry[0], python), *entry[1:]]


class Plan(NamedTuple):
    """What one corpus holds and which jobs measure it."""

    corpus: Corpus
    files: list[str]
    dockerfiles: list[str]
    linted: list[str]
    per_hook: dict[str, list[str]]
    jobs: list[Job]


def corpus_jobs(args: argparse.Namespace, corpus: Corpus, python: str, work: str,
                manifest: Sequence[Hook], hadolint: str | None, tally: str | None) -> Plan:
    """The jobs over one whole corpus, keyed ``<corpus>/...``."""
    from hooks._files import is_ci_config, is_dockerfile, is_requirements

    name, repo = corpus.name, corpus.repo
    files = corpus_files(repo)
    # What the all-rules command reads: the project's own file patterns.
    dockerfiles = [f for f in files if is_dockerfile(f)]
    linted = [f for f in files if is_dockerfile(f) or is_requirements(f) or is_ci_config(f)]
    listing = os.path.join(work, f"read-floor-{name}.txt")
    _write(listing, "".join(f + "\n" for f in linted))
    per_hook = {hook.id: matching(hook, files) for hook in manifest}
    jobs = [
        Job(f"{name}/read-floor", "read floor: a Python process that only reads the files",
            [[python, "-c", _READ_FLOOR, listing]], len(linted), args.repeat, False, repo),
        Job(f"{name}/all-rules", "**`docker-python-hooks check .`** (every rule, one process)",
            [[*find_script("docker-python-hooks", python), "check", "."]], len(linted), args.repeat, True, repo),
    ]
    for hook in manifest:
        if not per_hook[hook.id]:
            continue  # pre-commit does not run a hook that no file matches
        chunks = batches(_hook_command(hook, python), per_hook[hook.id])
        label = f"`{hook.entry}` (hook `{hook.id}`)" if _all_rules(hook) else f"`{hook.id}`"
        label += f" ({len(chunks)} batches)" if len(chunks) > 1 else ""
        key = f"{name}/hook-all:{hook.id}" if _all_rules(hook) else f"{name}/hook:{hook.id}"
        jobs.append(Job(key, label, chunks, len(per_hook[hook.id]), args.repeat, True, repo))
    if hadolint:
        jobs.append(Job(f"{name}/hadolint", "hadolint, one invocation", batches([hadolint], dockerfiles),
                        len(dockerfiles), args.tool_repeat, False, repo))
    if tally:
        base = [tally, "lint", "--no-color", "--slow-checks", "off"]
        jobs.append(Job(f"{name}/tally", "tally lint (defaults)", batches(base, dockerfiles),
                        len(dockerfiles), args.tool_repeat, False, repo))
        jobs.append(Job(f"{name}/tally-no-shellcheck", "tally lint --ignore 'shellcheck/*'",
                        batches([*base, "--ignore", "shellcheck/*"], dockerfiles),
                        len(dockerfiles), args.tool_repeat, False, repo))
    return Plan(corpus, files, dockerfiles, linted, per_hook, jobs)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    python = os.path.abspath(args.python) if os.sep in args.python else args.python
    work = os.path.abspath(args.work)
    home = os.path.join(work, "pre-commit-home")
    os.makedirs(work, exist_ok=True)
    sys.path.insert(0, ROOT)
    with open(os.path.join(ROOT, ".pre-commit-hooks.yaml"), encoding="utf-8") as handle:
        manifest = [h for h in read_manifest(handle.read()) if not _fixer(h)]  # fixers would rewrite the corpus
    env = child_env(home)
    tools: list[str] = []
    hadolint = None if args.no_tools else find_tool("hadolint")
    tally = None if args.no_tools else find_tool("tally")
    tools += [_version([hadolint, "--version"])] if hadolint else []
    tools += [_version([tally, "--version"])] if tally else []

    plans = []
    for corpus in corpora(args, work):
        _progress(f"preparing the corpus {corpus.name}")
        prepare_corpus(args, corpus)
        plans.append(corpus_jobs(args, corpus, python, work, manifest, hadolint, tally))
    main_plan = plans[-1]  # the varied corpus (or the given one): cold starts, pre-commit, issue 9
    repo = main_plan.corpus.repo
    jobs = [Job("floor", "`python -c pass` (interpreter floor)", [[python, "-c", "pass"]], 0, args.repeat,
                False, repo)]
    for plan in plans:
        jobs += plan.jobs

    rev = _git(ROOT, "rev-parse", "HEAD")
    if not args.no_pre_commit:
        jobs += _pre_commit_jobs(args, python, work, repo, env, rev, hadolint, manifest, main_plan.dockerfiles)
    cold = _cold_jobs("dev", python, manifest, main_plan.per_hook, args.cold_repeat, repo)
    env_bin = None if args.no_pre_commit else pre_commit_env_bin(home, rev)
    if env_bin is not None:
        installed = [h for h in manifest if os.access(os.path.join(env_bin, shlex.split(h.entry)[0]), os.X_OK)]
        cold += _cold_jobs("pre-commit", os.path.join(env_bin, "python"), installed, main_plan.per_hook,
                           args.cold_repeat, repo)
    jobs += cold

    logs = os.path.join(work, "logs")
    results = measure(python, jobs, env, logs)
    _progress("measuring import costs")
    floors = [job for job in jobs if job.key == "floor" or job.key.startswith("pass-")]
    imports = {job.key: import_cost(job, env, min(args.cold_repeat, 3)) for job in [*floors, *cold]}
    info = {
        "date": time.strftime("%Y-%m-%d", time.gmtime()),
        "machine": machine(),
        "revision": _describe(),
        "tools": ", ".join(tools) if tools else "hadolint and tally not measured",
        "command": shlex.join(["python", "benchmarks/run.py", *(sys.argv[1:] if argv is None else argv)]),
        "repeat": f"{args.repeat} (external tools {args.tool_repeat}, cold starts {args.cold_repeat})",
    }
    sections = [
        CorpusInfo(
            plan.corpus,
            f"{len(plan.files)} files; {len(plan.dockerfiles)} Dockerfiles and "
            f"{len(plan.linted) - len(plan.dockerfiles)} requirements and CI files are linted",
            _count_lines(log_path(logs, f"{plan.corpus.name}/all-rules")),
            ", ".join(f"`{hook.id}`" for hook in manifest if not plan.per_hook[hook.id]),
        )
        for plan in plans
    ]
    text, broken = render(results, info, sections, imports)
    sys.stdout.write(text)
    if args.output != "-":
        _write(args.output, text)
        _progress(f"wrote {os.path.relpath(args.output)}")
    return 1 if broken else 0


def _pre_commit_jobs(args: argparse.Namespace, python: str, work: str, repo: str, env: dict[str, str],
                     rev: str, hadolint: str | None, manifest: Sequence[Hook], dockerfiles: Sequence[str]) -> list[Job]:
    """Configs for this checkout at HEAD (and the hadolint hook); environments installed untimed."""
    head = [h for h in read_manifest(_git(ROOT, "show", "HEAD:.pre-commit-hooks.yaml")) if not _fixer(h)]
    single = [h.id for h in head if not _all_rules(h)]
    configs = [("pre-commit:ours", f"every single-purpose hook id of this repository ({len(single)})",
                pre_commit_config(work, "ours", ours_block(rev, single)), args.repeat, True)]
    configs += [("pre-commit:all-rules", f"the all-rules hook `{h.id}` alone",
                 pre_commit_config(work, "all-rules", ours_block(rev, [h.id])), args.repeat, True)
                for h in head if _all_rules(h)]
    like = next((h for h in manifest if re.search(h.files, "Dockerfile")), None)
    if hadolint and like:
        configs.append(("pre-commit:hadolint", "the hadolint hook alone (same files)",
                        pre_commit_config(work, "hadolint", hadolint_block(hadolint, like)), args.tool_repeat, False))
    pre_commit = find_script("pre-commit", python)
    jobs = []
    for key, label, config, repeat, ours in configs:
        _progress(f"installing the pre-commit environments of {os.path.basename(config)} (untimed)")
        subprocess.run([*pre_commit, "install-hooks", "-c", config], cwd=repo, env=env, check=True,
                       stdout=subprocess.DEVNULL)
        count = len(dockerfiles) if key == "pre-commit:hadolint" else 0
        jobs.append(Job(key, label, [[*pre_commit, "run", "--all-files", "-c", config]], count, repeat, ours, repo))
    return jobs


def _cold_jobs(env_name: str, python: str, hooks: Sequence[Hook], per_hook: dict[str, list[str]],
               repeat: int, cwd: str) -> list[Job]:
    jobs: list[Job] = []
    if env_name != "dev":  # the development interpreter's floor is the "floor" job
        jobs.append(Job(f"pass-{env_name}", "`python -c pass`", [[python, "-c", "pass"]], 0, repeat, False, cwd))
    for hook in hooks:
        if per_hook[hook.id]:
            first = per_hook[hook.id][0]
            command = [*_hook_command(hook, python), first]
            kind = "all" if _all_rules(hook) else "hook"
            jobs.append(Job(f"cold-{env_name}:{kind}:{hook.id}", f"`{hook.entry} {first}`", [command], 1, repeat,
                            True, cwd))
    return jobs


def _count_lines(path: str) -> int:
    with open(path, encoding="utf-8", errors="replace") as handle:
        return sum(1 for _ in handle)


def _version(argv: list[str]) -> str:
    try:
        done = subprocess.run(argv, check=False, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return os.path.basename(argv[0])
    return (done.stdout or done.stderr).strip().splitlines()[0] if (done.stdout or done.stderr) else argv[0]


def _describe() -> str:
    try:
        return _git(ROOT, "describe", "--always", "--dirty")
    except (OSError, subprocess.CalledProcessError):
        return "(not a git checkout)"


if __name__ == "__main__":
    raise SystemExit(main())

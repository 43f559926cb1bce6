#!/usr/bin/env python3
"""Recorded-output replay of yt-dlp, for tests of YouTube behaviour without the network.

This is the one place where a stand-in for yt-dlp is allowed: it answers the command lines vfb
builds with output recorded from yt-dlp, and refuses any other command line, so a test fails
when vfb stops calling yt-dlp the way the recording was made.

Environment:
  VFB_REPLAY      the recording (JSON):
                  {"listings": {URL: {"lines": [LINE, ...], "stderr": [LINE, ...],
                                      "exit": 0}},
                   "downloads": {URL: {"info": {...info JSON...}, "media": PATH}}}
  VFB_REPLAY_LOG  optional: every call's argv is appended here as one JSON line.

Listings (--flat-playlist) print the recorded lines in order, as yt-dlp streams them. Where
the command line has --break-match-filters, the replay applies it as yt-dlp does: the first
entry that fails "timestamp>=?N" or "id!=?X" ends the listing with exit code 101. Lines that are
not JSON (recorded broken output) are printed as they are. Downloads write media.info.json and
media.EXT into the -o template's directory, or skip a video older than --dateafter.
"""
import json
import os
import shutil
import sys


def fail(message, code=2):
    print("ERROR: [replay] " + message, file=sys.stderr)
    sys.exit(code)


def option(argv, name):
    for i, a in enumerate(argv[:-1]):
        if a == name:
            return argv[i + 1]
    return None


def passes(entry, conditions):
    for cond in conditions:
        cond = cond.strip()
        if cond.startswith("timestamp>=?"):
            ts = entry.get("timestamp")
            if ts is not None and ts < int(cond[len("timestamp>=?"):]):
                return False
        elif cond.startswith("id!=?"):
            if entry.get("id") is not None and entry.get("id") == cond[len("id!=?"):]:
                return False
        else:
            fail("filter the recording cannot apply: " + cond)
    return True


def listing(argv, url, recording):
    for flag in ("--flat-playlist", "--lazy-playlist", "-j", "--ignore-config"):
        if flag not in argv:
            fail("listing without " + flag)
    if "youtube.com" in url and option(argv, "--extractor-args") != "youtubetab:approximate_date":
        fail("YouTube listing without --extractor-args youtubetab:approximate_date")
    rec = recording.get("listings", {}).get(url)
    if rec is None:
        print("ERROR: [youtube:tab] " + url + ": This channel does not exist.", file=sys.stderr)
        sys.exit(1)
    flt = option(argv, "--break-match-filters")
    conditions = flt.split("&") if flt else []
    for line in rec["lines"]:
        try:
            entry = json.loads(line)
        except ValueError:
            entry = None
        if isinstance(entry, dict) and not passes(entry, conditions):
            sys.stdout.flush()
            sys.exit(101)
        print(line, flush=True)
    for line in rec.get("stderr", []):
        print(line, file=sys.stderr)
    sys.exit(rec.get("exit", 0))


def download(argv, url, recording):
    rec = recording.get("downloads", {}).get(url)
    if rec is None:
        print("ERROR: [youtube] " + url + ": Video unavailable", file=sys.stderr)
        sys.exit(1)
    template = option(argv, "-o")
    if template is None or "--write-info-json" not in argv:
        fail("download without -o or --write-info-json")
    info = rec["info"]
    after = option(argv, "--dateafter")
    if after and info.get("upload_date", "99999999") < after:
        print("[download] " + info.get("upload_date", "") + " upload date is not in range " + after)
        sys.exit(0)
    match = option(argv, "--match-filters")
    if match:
        if not match.startswith("timestamp>=?"):
            fail("match filter the recording cannot apply: " + match)
        ts = info.get("timestamp")
        if ts is not None and ts < int(match[len("timestamp>=?"):]):
            print("[download] " + info.get("title", "") + " does not pass filter (" + match +
                  "), skipping ..")
            sys.exit(0)
    out_dir = os.path.dirname(template)
    os.makedirs(out_dir, exist_ok=True)
    ext = os.path.splitext(rec["media"])[1]
    media = os.path.join(out_dir, "media" + ext)
    shutil.copyfile(rec["media"], media)
    info = dict(info)
    info["requested_downloads"] = [{"filepath": media}]
    with open(os.path.join(out_dir, "media.info.json"), "w") as f:
        json.dump(info, f)
    print("[download] 100% of 10.00KiB in 00:00:00", flush=True)


def main():
    argv = sys.argv[1:]
    log = os.environ.get("VFB_REPLAY_LOG")
    if log:
        with open(log, "a") as f:
            f.write(json.dumps(argv) + "\n")
    if "--" not in argv or argv.index("--") != len(argv) - 2:
        fail("the URL must come last, after --")
    url = argv[-1]
    with open(os.environ["VFB_REPLAY"]) as f:
        recording = json.load(f)
    if "--flat-playlist" in argv:
        listing(argv, url, recording)
    else:
        download(argv, url, recording)


main()

#!/usr/bin/env python3
"""Recorded-output replay of yt-dlp, for tests of YouTube behaviour without the network.

This is the one place where a stand-in for yt-dlp is allowed: it answers the command lines vfb
builds with output recorded from yt-dlp, and refuses any other command line, so a test fails
when vfb stops calling yt-dlp the way the recording was made.

Environment:
  VFB_REPLAY      the recording (JSON):
                  {"listings": {URL: {"lines": [LINE, ...], "stderr": [LINE, ...],
                                      "exit": 0}},
                   "downloads": {URL: {"info": {...info JSON...}, "media": PATH,
                                       "captions": {"manual": {LANG: VTT},
                                                    "automatic": {LANG: VTT}},
                                       "caption_errors": {LANG: HTTP_STATUS},
                                       "needs_js_runtime": false,
                                       "stderr": [LINE, ...], "exit": 1}}}
  VFB_REPLAY_LOG  optional: every call's argv is appended here as one JSON line (but not
                  --version: the log is of the work vfb asked for).
  VFB_REPLAY_VERSION  the yt-dlp version replayed (default 2023.03.04, Debian bookworm's). vfb
                  remembers a program's version while its file stays the same, so a test that
                  replays another version runs the replay through a wrapper script of its own
                  that sets this (tests/support/ytdlp_replay.hpp).

`--version` prints that version, and the options that version does not know are refused the
way optparse refuses them (exit 2):
--js-runtimes came in 2025.11.12. A download whose recording has "stderr" fails with it. One
that "needs_js_runtime" (YouTube since 2025.11.12) fails without --js-runtimes the way yt-dlp
does: the challenge warnings, then "Requested format is not available".

Captions follow yt-dlp's rules: --write-subs takes the manual tracks, --write-auto-subs the
automatic ones (a manual track wins a shared key); --sub-langs values are regular expressions
matched case-insensitively against the whole key, "all" takes every key and a leading "-" drops
what matches. YouTube's translations of a manual track are keyed TARGET-SOURCE ("en-de":
English from German); they are offered only without --extractor-args
youtube:skip=translated_subs. Each track is one request: a track in "caption_errors" fails the
whole download with yt-dlp's message.

Listings (--flat-playlist) print the recorded lines in order, as yt-dlp streams them. Where
the command line has --break-match-filters, the replay applies it as yt-dlp does: the first
entry that fails "timestamp>?N" (or ">=?") or "id!=?X" ends the listing with exit code 101. Lines that are
not JSON (recorded broken output) are printed as they are. Downloads write media.info.json and
media.EXT into the -o template's directory, or skip a video older than --dateafter.
"""
import json
import os
import re
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


def extractor_args(argv, extractor):
    """The arguments yt-dlp gives `extractor`: the last --extractor-args for it wins whole."""
    found = []
    for i, a in enumerate(argv[:-1]):
        if a == "--extractor-args" and argv[i + 1].lower().startswith(extractor + ":"):
            found = argv[i + 1][len(extractor) + 1:].split(";")
    return found


def version(recording):
    del recording  # the version is the program's, not the recording's: see the docstring
    return os.environ.get("VFB_REPLAY_VERSION", "2023.03.04")


def refuse_unknown_options(argv, recording):
    known_since = {"--js-runtimes": "2025.11.12"}
    for flag, since in known_since.items():
        if flag in argv and version(recording) < since:
            print("Usage: yt-dlp [OPTIONS] URL [URL...]\n\nyt-dlp: error: no such option: " + flag,
                  file=sys.stderr)
            sys.exit(2)


def passes(entry, conditions):
    for cond in conditions:
        cond = cond.strip()
        if cond.startswith("timestamp>?"):
            ts = entry.get("timestamp")
            if ts is not None and ts <= int(cond[len("timestamp>?"):]):
                return False
        elif cond.startswith("timestamp>=?"):
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
    if "youtube.com" in url and "approximate_date" not in extractor_args(argv, "youtubetab"):
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


def wanted_languages(argv, keys):
    """yt-dlp's --sub-langs over the available keys (YoutubeDL._calc_subs_langs)."""
    wanted = []
    for value in (option(argv, "--sub-langs") or "en").split(","):
        drop = value.startswith("-")
        pattern = re.compile(value[1:] if drop else value, re.I)
        hits = keys if value == "all" else [k for k in keys if pattern.fullmatch(k)]
        if drop:
            wanted = [k for k in wanted if k not in hits]
        else:
            wanted += [k for k in hits if k not in wanted]
    return wanted


def write_captions(argv, rec, out_dir, video_id):
    captions = rec.get("captions", {})
    tracks = {}
    if "--write-auto-subs" in argv:
        tracks.update(captions.get("automatic", {}))
        manual = captions.get("manual", {})
        skips = [a.split("=", 1)[1].split(",") for a in extractor_args(argv, "youtube")
                 if a.startswith("skip=")]
        if not any("translated_subs" in s for s in skips):
            for target in ("en", "de", "fr", "es"):
                for source, vtt in manual.items():
                    if source != target:
                        tracks[target + "-" + source] = vtt
    if "--write-subs" in argv:
        tracks.update(captions.get("manual", {}))
    for lang in wanted_languages(argv, list(tracks)):
        status = rec.get("caption_errors", {}).get(lang)
        if status is not None:
            print("ERROR: Unable to download video subtitles for '" + lang + "': HTTP Error " +
                  str(status) + ": Too Many Requests", file=sys.stderr)
            sys.exit(1)
        print("[info] Writing video subtitles to: " + os.path.join(out_dir, "media." + lang +
                                                                 ".vtt"), flush=True)
        with open(os.path.join(out_dir, "media." + lang + ".vtt"), "w") as f:
            f.write(tracks[lang])


def download(argv, url, recording):
    rec = recording.get("downloads", {}).get(url)
    if rec is None:
        print("ERROR: [youtube] " + url + ": Video unavailable", file=sys.stderr)
        sys.exit(1)
    if "stderr" in rec:
        for line in rec["stderr"]:
            print(line, file=sys.stderr)
        sys.exit(rec.get("exit", 1))
    video_id = rec["info"].get("id", "")
    if rec.get("needs_js_runtime") and "--js-runtimes" not in argv and \
            version(recording) >= "2025.11.12":
        ejs = "https://github.com/yt-dlp/yt-dlp/wiki/EJS"
        print("WARNING: [youtube] No supported JavaScript runtime could be found. Only deno is "
              "enabled by default; to use another runtime add  --js-runtimes RUNTIME[:PATH]  to "
              "your command/config. YouTube extraction without a JS runtime has been deprecated, "
              "and some formats may be missing. See  " + ejs + "  for details on installing one",
              file=sys.stderr)
        print("WARNING: [youtube] " + video_id + ": n challenge solving failed: Some formats may "
              "be missing. Ensure you have a supported JavaScript runtime and challenge solver "
              "script distribution installed. Review any warnings presented before this message. "
              "For more details, refer to  " + ejs, file=sys.stderr)
        print("WARNING: Only images are available for download. use --list-formats to see them",
              file=sys.stderr)
        print("ERROR: [youtube] " + video_id + ": Requested format is not available. Use "
              "--list-formats for a list of available formats", file=sys.stderr)
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
    write_captions(argv, rec, out_dir, video_id)
    ext = os.path.splitext(rec["media"])[1]
    media = os.path.join(out_dir, "media" + ext)
    shutil.copyfile(rec["media"], media)
    info = dict(info)
    info["requested_downloads"] = [{"filepath": media}]
    captions = rec.get("captions", {})
    info["subtitles"] = {k: [{"ext": "vtt"}] for k in captions.get("manual", {})}
    info["automatic_captions"] = {k: [{"ext": "vtt"}] for k in captions.get("automatic", {})}
    with open(os.path.join(out_dir, "media.info.json"), "w") as f:
        json.dump(info, f)
    print("[download] 100% of 10.00KiB in 00:00:00", flush=True)


def main():
    argv = sys.argv[1:]
    recording = {}
    if os.environ.get("VFB_REPLAY"):
        with open(os.environ["VFB_REPLAY"]) as f:
            recording = json.load(f)
    if argv == ["--version"]:  # not logged: the log is of the work vfb asked for
        print(version(recording))
        sys.exit(0)
    log = os.environ.get("VFB_REPLAY_LOG")
    if log:
        with open(log, "a") as f:
            f.write(json.dumps(argv) + "\n")
    refuse_unknown_options(argv, recording)
    if "--" not in argv or argv.index("--") != len(argv) - 2:
        fail("the URL must come last, after --")
    url = argv[-1]
    if "--flat-playlist" in argv:
        listing(argv, url, recording)
    else:
        download(argv, url, recording)


main()

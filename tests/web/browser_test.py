#!/usr/bin/python3
"""The web page in a real headless browser (Debian's chromium and chromedriver, driven by
python3-selenium) against a real `vfb node` whose videos come from vfb-demo-channel on loopback.

What a user does, in order: sign in; submit a video and watch it move through the stages to
done without reloading; open the transcript and follow a moment link (its URL carries the line's
second); search a spoken word and get the video; as a viewer, see no operator controls and have
a forged operator request refused; have a request from another origin refused; open another
tenant's job and get the not-found page. A screenshot of each page goes to --out.

Run by ctest (CMakeLists.txt); by hand:
  tests/web/browser_test.py --vfb build/vfb --channel build/vfb-demo-channel --out /tmp/shots
"""
import argparse
import http.server
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ARGS = None
# Waits are for conditions; the limit only keeps a broken page from hanging the test run.
LIMIT = 180


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tid(name):
    return (By.CSS_SELECTOR, '[data-testid="%s"]' % name)


class Node:
    """vfb-demo-channel, then `vfb node` with the API on a free port, and tokens."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="vfb-web-")
        os.environ["no_proxy"] = os.environ["NO_PROXY"] = "127.0.0.1,localhost"
        cache = os.path.join(ARGS.media, "web-channel")
        os.makedirs(cache, exist_ok=True)
        self.channel = subprocess.Popen(
            [ARGS.channel, "--dir", cache, "--videos", "2", "--old", "0"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        line = self.channel.stdout.readline()
        if not line:
            raise RuntimeError("vfb-demo-channel did not start")
        ready = json.loads(line)
        self.videos, self.feed = ready["videos"], ready["feed"]
        self.base_of_channel = self.feed.rsplit("/", 1)[0]
        self.port = free_port()
        self.base = "http://127.0.0.1:%d" % self.port
        self.data = os.path.join(self.dir, "data")
        self.conf = os.path.join(self.dir, "vfb.conf")
        with open(self.conf, "w") as f:
            f.write("[sources]\nallow_loopback = true\n[api]\nport = %d\n" % self.port)
        self.operator = self.token("demo", "main", "operator")
        self.viewer = self.token("demo", "main", "viewer")
        self.stranger = self.token("other", "main", "operator")
        self.log = open(os.path.join(self.dir, "node.log"), "w")
        self.node = subprocess.Popen(self.vfb("node"), stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + LIMIT
        while True:  # the node is up when its API answers
            try:
                urllib.request.urlopen(self.base + "/healthz", timeout=5).read()
                break
            except (urllib.error.URLError, ConnectionError):
                if self.node.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("vfb node did not start; see " + self.log.name)
                time.sleep(0.1)  # polling a port that is not open yet: nothing to wait on

    def vfb(self, *args):
        return [ARGS.vfb, "--data-dir", self.data, "--config", self.conf, *args]

    def token(self, tenant, workspace, role):
        out = subprocess.run(self.vfb("token", "create", "--tenant", tenant, "--workspace",
                                      workspace, "--role", role, "--json"),
                             check=True, capture_output=True, text=True).stdout
        return json.loads(out)["token"]

    def api(self, path, token=None, method="GET", body=None):
        req = urllib.request.Request(self.base + path, method=method,
                                     data=None if body is None else json.dumps(body).encode())
        req.add_header("Authorization", "Bearer " + (token or self.operator))
        if body is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")

    def stop(self):
        self.node.terminate()
        self.node.wait(60)
        self.channel.stdin.close()
        self.channel.wait(60)
        self.channel.stdout.close()
        self.log.close()


class Hostile(http.server.BaseHTTPRequestHandler):
    """Another site on this machine: its page submits a form to the node, as a cross-site
    request forgery does (a plain-text form can carry a JSON body). The browser then shows the
    node's answer, which the test reads."""
    target = ""

    def do_GET(self):
        # The body becomes {"url":"TARGET/forged","pad":"="}.
        name = '{"url":%s,"pad":"' % json.dumps(self.target + "/forged")
        page = ('<!doctype html><title>hostile</title>'
                '<form method="post" enctype="text/plain" action="%s/v1/submissions">'
                '<input type="hidden" name="%s" value=\'"}\'></form>'
                '<script>document.forms[0].submit()</script>'
                % (self.target, name.replace('"', "&quot;")))
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.end_headers()
        self.wfile.write(page.encode())

    def log_message(self, *args):
        pass


class WebPage(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.node = Node()
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                  "--window-size=1280,900", "--no-proxy-server"):
            options.add_argument(a)
        cls.browser = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        cls.wait = WebDriverWait(cls.browser, LIMIT)
        os.makedirs(ARGS.out, exist_ok=True)

    @classmethod
    def tearDownClass(cls):
        cls.browser.quit()
        cls.node.stop()

    # -- helpers ----------------------------------------------------------------------------

    def open(self, path):
        self.browser.get(self.node.base + path)

    def find(self, name):
        return self.wait.until(lambda b: b.find_element(*tid(name)))

    def shot(self, name):
        self.browser.save_screenshot(os.path.join(ARGS.out, name + ".png"))

    def text_of(self, name):
        def read(b):
            try:
                return b.find_element(*tid(name)).text
            except StaleElementReferenceException:
                return None
        return read

    def sign_in(self, token):
        self.browser.delete_all_cookies()
        self.open("/signin")
        self.find("token-input").send_keys(token)
        self.find("signin-button").click()
        self.wait.until(lambda b: not b.current_url.endswith("/signin"))

    def submit_in_page(self, url):
        self.open("/submit")
        self.find("submit-url").send_keys(url)
        self.shot("submit")
        self.find("submit-button").click()
        self.wait.until(lambda b: "/jobs/" in b.current_url)
        return int(self.browser.current_url.rstrip("/").split("/jobs/")[1].split("?")[0])

    # -- the tests, in the order a user meets them ------------------------------------------

    def test_1_sign_in_submit_and_watch_live(self):
        self.open("/")
        self.wait.until(lambda b: b.current_url.endswith("/signin"))  # not signed in yet
        self.shot("signin")
        self.find("token-input").send_keys("vfb_not_a_token")
        self.find("signin-button").click()
        self.assertIn("unknown or revoked token", self.find("error").text)
        self.sign_in(self.node.operator)
        cookie = self.browser.get_cookie("vfb_session")
        self.assertTrue(cookie["httpOnly"])
        self.assertEqual(cookie["sameSite"], "Strict")
        self.assertFalse(self.browser.execute_script("return document.cookie.includes('vfb_')"))

        video = self.node.videos[0]
        job = self.submit_in_page(video["url"])
        # A mark in this page's window: it is gone if anything reloads the page.
        self.browser.execute_script("window.vfbNoReload = true")
        seen = []

        def state(b):
            text = self.text_of("job-state")(b)
            if text and (not seen or seen[-1] != text):
                seen.append(text)
            return text == "done"
        self.wait.until(state)
        self.assertTrue(self.browser.execute_script("return window.vfbNoReload === true"),
                        "the job page was reloaded")
        stages = [s for s in seen if s in ("download", "transcribe", "analyze", "memory", "post")]
        self.assertGreaterEqual(len(set(stages)), 2, "stages seen live: %s" % seen)
        self.__class__.job = job
        self.__class__.video = video
        self.find("job-title")
        self.wait.until(lambda b: b.find_elements(*tid("moment")))
        self.assertEqual(self.find("job-title").text, video["title"])
        self.shot("job")

        # A video the channel does not have fails for good: the operator may retry it.
        status, r = self.node.api("/v1/submissions", method="POST",
                                  body={"url": self.node.base_of_channel + "/watch/gone"})
        self.assertEqual(status, 202)
        self.__class__.failed = r["job_id"]
        self.open("/jobs/%d" % self.failed)
        self.wait.until(lambda b: self.text_of("job-state")(b) == "failed")
        self.assertIn("404", self.find("job-error").text)
        self.find("retry-button")

        self.open("/")
        self.wait.until(lambda b: self.text_of("count-done")(b) == "1")
        self.wait.until(lambda b: self.text_of("count-failed")(b) == "1")
        self.find("failure-%d" % self.failed)
        self.shot("overview")

    def test_2_moment_link_carries_the_second(self):
        status, t = self.node.api("/v1/jobs/%d/transcript.json" % self.job)
        self.assertEqual(status, 200)
        segments = [s for s in t["segments"] if s["start_ms"] >= 1000] or t["segments"]
        self.open("/jobs/%d" % self.job)
        self.wait.until(lambda b: b.find_elements(*tid("moment")))
        links = self.browser.find_elements(*tid("moment"))
        self.assertEqual(len(links), len(t["segments"]))
        # The demo's videos have no captions: the recogniser's words, and how sure it was.
        self.assertEqual(t["origin"], "speech")
        self.assertTrue(0 < t["confidence"] <= 1, t["confidence"])
        self.assertRegex(self.find("transcript-source").text,
                         r"^From speech recognition, \d+% confident")
        index = t["segments"].index(segments[-1])
        link = links[index]
        second = segments[-1]["start_ms"] // 1000
        self.assertTrue(link.get_attribute("href").endswith("#t=%d" % second),
                        link.get_attribute("href"))
        self.assertTrue(link.get_attribute("href").startswith(self.video["url"]))
        before = set(self.browser.window_handles)
        link.click()
        self.wait.until(lambda b: len(b.window_handles) > len(before))
        tab = (set(self.browser.window_handles) - before).pop()
        main = self.browser.current_window_handle
        self.browser.switch_to.window(tab)
        self.wait.until(lambda b: b.current_url.endswith("#t=%d" % second))
        self.browser.close()
        self.browser.switch_to.window(main)

    def test_3_search_finds_the_spoken_word(self):
        word = self.video["keywords"][0]
        self.open("/search")
        self.find("search-input").send_keys(word)
        self.find("search-button").click()
        self.wait.until(lambda b: b.find_elements(*tid("hit")))
        self.assertIn("q=" + word, self.browser.current_url)
        hit = self.browser.find_elements(*tid("hit"))[0]
        self.assertIn(self.video["title"], hit.text)
        marks = [m.text.lower() for m in hit.find_elements(By.TAG_NAME, "mark")]
        self.assertTrue(any(m.startswith(word.lower()) for m in marks), marks)
        moment = hit.find_element(*tid("hit-moment")).get_attribute("href")
        self.assertRegex(moment, r"#t=\d+$")
        self.shot("search")
        # Filters: an upload date range after the video finds nothing, one holding it finds it
        # (with its upload date shown); the address carries them and the form shows them.
        self.open("/search?q=%s&from=2999-01-01" % word)
        self.find("search-empty")
        self.assertEqual(self.find("search-from").get_attribute("value"), "2999-01-01")
        self.open("/search?q=%s&to=2999-12-31" % word)
        self.wait.until(lambda b: b.find_elements(*tid("hit")))
        dates = [d.text for d in self.browser.find_elements(*tid("hit-date"))]
        self.assertTrue(dates and all(re.match(r"\d{4}-\d\d-\d\d$", d) for d in dates), dates)
        # A phrase in quotes: the page sends it as typed; its words are marked as one.
        self.find("search-input").clear()
        self.find("search-input").send_keys('"%s"' % word)
        self.find("search-button").click()
        self.wait.until(lambda b: b.find_elements(*tid("hit")))

    def test_4_follow_the_channel_pause_resume_remove(self):
        self.open("/follows")
        self.find("follow-url").send_keys(self.node.feed)
        self.find("follow-add").click()
        row = self.wait.until(lambda b: b.find_elements(
            By.CSS_SELECTOR, '[data-testid^="follow-row-"]'))[0]
        follow = row.get_attribute("data-testid").rsplit("-", 1)[1]
        # The feed lists both videos: one was done already (a duplicate), one is enqueued.
        self.wait.until(lambda b: self.text_of("follow-enqueued-" + follow)(b) == "1")
        self.assertEqual(self.find("follow-state-" + follow).text, "active")
        self.find("follow-pause-" + follow).click()
        self.wait.until(lambda b: self.text_of("follow-state-" + follow)(b) == "paused")
        status, follows = self.node.api("/v1/follows")
        self.assertTrue(follows["follows"][0]["paused"])
        self.find("follow-resume-" + follow).click()
        self.wait.until(lambda b: self.text_of("follow-state-" + follow)(b) == "active")
        self.find("auto-follow")
        self.shot("follows")
        self.find("follow-remove-" + follow).click()
        self.find("confirm-remove-" + follow).click()
        self.wait.until(lambda b: not b.find_elements(*tid("follow-row-" + follow)))
        status, follows = self.node.api("/v1/follows")
        self.assertEqual(follows["follows"], [])

    def test_5_viewer_sees_no_operator_controls_and_forged_writes_fail(self):
        self.sign_in(self.node.viewer)
        # The failed job, whose Retry the operator saw: the viewer sees the job, not the button.
        self.open("/jobs/%d" % self.failed)
        self.wait.until(lambda b: self.text_of("job-state")(b) == "failed")
        self.find("job-error")
        for control in ("retry-button", "cancel-button"):
            self.assertEqual(self.browser.find_elements(*tid(control)), [])
        self.assertEqual(self.browser.find_elements(By.CSS_SELECTOR, 'a[href="/submit"]'), [])
        self.open("/follows")
        self.wait.until(lambda b: b.find_elements(By.CSS_SELECTOR, "main h1, main h2"))
        self.assertEqual(self.browser.find_elements(*tid("follow-add")), [])
        self.shot("follows-viewer")
        # The viewer forges the operator's request from the page itself, with its CSRF token.
        status = self.browser.execute_async_script("""
            const done = arguments[arguments.length - 1];
            fetch('/v1/session').then(r => r.json()).then(s =>
              fetch('/v1/submissions', {method: 'POST', headers: {'Content-Type':
                'application/json', 'X-CSRF-Token': s.csrf_token},
                body: JSON.stringify({url: arguments[0] + '/viewer'})}))
              .then(r => done(r.status), e => done(String(e)));""", self.video["url"])
        self.assertEqual(status, 403)
        status, jobs = self.node.api("/v1/jobs")
        self.assertFalse(any(j["url"].endswith("/viewer") for j in jobs["jobs"]))

    def test_6_another_origin_is_refused(self):
        self.sign_in(self.node.operator)
        Hostile.target = self.node.base
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hostile)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            self.browser.get("http://127.0.0.1:%d/" % server.server_address[1])
            # The form took the browser to the node's answer. The session cookie went along
            # (same site: only the port differs), so it is the Origin check that refuses: a
            # request without the cookie would get 401 instead.
            self.wait.until(lambda b: b.current_url.startswith(self.node.base))
            answer = json.loads(self.browser.find_element(By.TAG_NAME, "body").text)
        finally:
            server.shutdown()
            server.server_close()
        self.assertEqual(answer["error"]["code"], "forbidden")
        self.assertIn("another site", answer["error"]["message"])
        status, jobs = self.node.api("/v1/jobs")
        self.assertEqual(status, 200)
        self.assertFalse(any(j["url"].endswith("/forged") for j in jobs["jobs"]))

    def test_7_another_tenants_job_is_not_found(self):
        self.sign_in(self.node.stranger)
        self.open("/jobs/%d" % self.job)
        self.assertEqual(self.find("not-found").text, "Not found")
        self.shot("not-found")
        self.open("/")
        self.find("count-done")
        self.wait.until(lambda b: self.text_of("count-done")(b) == "0")

    def test_8_phone_width(self):
        self.sign_in(self.node.operator)
        self.browser.set_window_size(390, 844)
        try:
            self.open("/jobs/%d" % self.job)
            self.wait.until(lambda b: b.find_elements(*tid("moment")))
            width = self.browser.execute_script(
                "return document.documentElement.scrollWidth <= window.innerWidth + 1")
            self.assertTrue(width, "the job page scrolls sideways on a phone")
            self.shot("job-phone")
        finally:
            self.browser.set_window_size(1280, 900)

    def test_9_dark_when_the_system_is_dark(self):
        def background():
            return self.browser.execute_script(
                "return getComputedStyle(document.body).backgroundColor")
        self.open("/")
        self.find("count-done")
        light = background()
        self.browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {
            "features": [{"name": "prefers-color-scheme", "value": "dark"}]})
        try:
            self.open("/")
            self.find("count-done")
            dark = background()
            self.assertNotEqual(light, dark)
            rgb = [int(x) for x in dark[dark.index("(") + 1:dark.index(")")].split(",")[:3]]
            self.assertLess(sum(rgb), 3 * 80, "a dark background: " + dark)
            self.shot("overview-dark")
        finally:
            self.browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--vfb", required=True)
    parser.add_argument("--channel", required=True)
    parser.add_argument("--out", required=True, help="where the screenshots go")
    parser.add_argument("--media", default=tempfile.gettempdir(),
                        help="where the channel's synthesised media is cached")
    ARGS, rest = parser.parse_known_args()
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)

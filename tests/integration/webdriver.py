"""A W3C WebDriver client over HTTP with Python's urllib only, for the
web page's scenarios: Debian's chromedriver drives Debian's headless
chromium.  Not a scenario module (the runner imports only sc_*.py)."""
import base64
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"

# What works as root in a container, with nothing fetched from the net.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-quic", "--no-first-run",
                 "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def missing():
    """Why no browser can run here, or None."""
    for prog in ("chromium", "chromedriver"):
        if shutil.which(prog) is None:
            return f"{prog} is not installed (run.sh test installs it)"
    return None


class WebDriverError(Exception):
    pass


class Browser:
    """chromedriver on a free port and one headless chromium session."""

    def __init__(self, timeout=60.0):
        self.dir = tempfile.mkdtemp(prefix="steward-chromium-")
        self.port = free_port()
        self.log = open(os.path.join(self.dir, "chromedriver.log"), "wb")
        self.proc = subprocess.Popen(
            [shutil.which("chromedriver"), f"--port={self.port}"],
            stdout=self.log, stderr=self.log, stdin=subprocess.DEVNULL)
        self.base = f"http://127.0.0.1:{self.port}"
        self.session = None
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self._call("GET", "/status")["ready"]:
                    break
            except (OSError, WebDriverError):
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.close()
                raise WebDriverError("chromedriver did not become ready")
            time.sleep(0.05)
        caps = {"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": shutil.which("chromium"),
                "args": CHROMIUM_ARGS + [
                    "--user-data-dir=" + os.path.join(self.dir, "profile")],
            }}}}
        try:
            self.session = self._call("POST", "/session", caps,
                                      timeout=timeout)["sessionId"]
        except Exception:
            self.close()
            raise

    def _call(self, method, path, body=None, timeout=30.0):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(
            self.base + path, data=data, method=method,
            headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=timeout) as r:
                return json.loads(r.read())["value"]
        except urllib.error.HTTPError as e:
            raise WebDriverError(f"{method} {path}: {e.code} "
                                 f"{e.read()[:500]!r}") from None

    def cmd(self, method, path, body=None, timeout=30.0):
        return self._call(method, f"/session/{self.session}{path}", body,
                          timeout)

    def get(self, url):
        self.cmd("POST", "/url", {"url": url})

    def find(self, css):
        """The first element css selects (WebDriverError when none)."""
        return self.cmd("POST", "/element",
                        {"using": "css selector", "value": css})[ELEMENT]

    def find_all(self, css):
        return [e[ELEMENT] for e in self.cmd(
            "POST", "/elements", {"using": "css selector", "value": css})]

    def text(self, el):
        return self.cmd("GET", f"/element/{el}/text")

    def click(self, el):
        self.cmd("POST", f"/element/{el}/click", {})

    def read(self, css, what="innerText"):
        """A property of the first element css selects (None when none),
        read in one script: never a reference gone stale because the
        page replaced the element in between."""
        return self.script("var e = document.querySelector(arguments[0]);"
                           " return e ? e[arguments[1]] : null;", css, what)

    def click_css(self, css, timeout=10.0):
        """Click the first element css selects, again when the page
        replaced it between the find and the click."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                return self.click(self.find(css))
            except WebDriverError as e:
                if "stale element" not in str(e) or \
                        time.monotonic() > deadline:
                    raise

    def script(self, js, *args):
        return self.cmd("POST", "/execute/sync",
                        {"script": js, "args": list(args)})

    def window(self, width, height):
        self.cmd("POST", "/window/rect", {"width": width, "height": height})

    def screenshot(self, path):
        png = base64.b64decode(self.cmd("GET", "/screenshot"))
        with open(path, "wb") as f:
            f.write(png)
        return len(png)

    def close(self):
        try:
            if self.session is not None:
                self.cmd("DELETE", "", timeout=15)
        except (OSError, WebDriverError):
            pass
        self.session = None
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)

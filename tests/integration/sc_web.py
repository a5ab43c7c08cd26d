"""The web page at / of [inet_http_server] (ctl/web.c).

One scenario asks with Python's http.client what a browser would ask,
and what a hostile page or client would: the page behind basic auth,
its hostile values escaped, an action refused without its token, by
GET, from another Origin or under another Host name, and carried out
with it.  The other drives Debian's headless chromium through Debian's
chromedriver (W3C WebDriver over HTTP, urllib only): it loads the page,
sees the wards, clicks restart, sees the new process, checks that no
ward-written markup ran, that a phone's width needs no sideways scroll,
and takes screenshots (STEWARD_WEB_SHOTS=DIR keeps them there: the
README's docs/web.png is one).
"""
import base64
import http.client
import os
import re

from harness import TESTWARD, Steward, alive, check, skip
from registry import scenario
import stanzas
import webdriver

USER, PASSWORD = stanzas.SV_AUTH

# Hostile ward-written values: markup that would set window.pwned, as
# a ward's STATUS= text and as a line of its output.
HOSTILE = '<img src=x onerror="window.pwned=1">'
HOSTILE_LINE = "<script>window.pwned=2</script> crashing"

WEB_CONF = stanzas.INET_HEAD + """
[program:worker]
command={testward} --beat 100 --work --status '{hostile}'
heartbeat=pipe
heartbeat_timeout=2s
restart_limit=5/1m
startsecs=1
numprocs=2
process_name=%(program_name)s-%(process_num)d

[program:crasher]
command=/bin/sh -c 'echo "{hostile_line}"; yes x | head -n 500 | tr -d "[:space:]"; echo; echo "giving up" >&2; sleep 0.2; exit 3'
startsecs=0
autorestart=true
restart_limit=5/1m

[program:idle]
command=sleep 1000
autostart=false
restart_limit=5/1m

[job:build]
command=sleep 1000
replicas=2
"""


def _steward(name, port):
    st = Steward(name, "")
    st.supervisord_conf(WEB_CONF.format(port=port, testward=TESTWARD,
                                        user=USER, password=PASSWORD,
                                        hostile=HOSTILE,
                                        hostile_line=HOSTILE_LINE))
    return st


def _ask(port, method, path, body=None, headers=None, auth=True):
    """(status, headers, body) of one request to the web page."""
    h = {"Content-Type": "application/x-www-form-urlencoded"}
    if auth:
        h["Authorization"] = "Basic " + base64.b64encode(
            f"{USER}:{PASSWORD}".encode()).decode()
    h.update(headers or {})
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        return r.status, dict(r.getheaders()), r.read().decode()
    finally:
        c.close()


def _token(page):
    m = re.search(r'<meta name="steward-token" content="([0-9a-f]+)">', page)
    return m.group(1) if m else None


def _pid(st, label):
    ward, _, rep = label.rpartition(":")
    inst = [i for i in st.status()["instances"]
            if i["ward"] == ward and i["replica"] == int(rep)]
    return inst[0]["pid"] if inst else None


@scenario("web-page-refuses-and-escapes")
def web_page_refuses_and_escapes():
    """The web page over plain HTTP: auth, escaping, the action's
    guards (token, method, Origin, Host), bad input, one restart."""
    port = webdriver.free_port()
    st = _steward("web", port)
    yield st.start("-s", st.socket_path, "-l", st.events_path)
    st.wait_event("running", ward="worker", count=2, timeout=15)

    code, _, _ = _ask(port, "GET", "/", auth=False)
    check(code == 401, f"the page without credentials: {code}", st)
    code, hdr, page = _ask(port, "GET", "/")
    check(code == 200, f"the page: {code}", st)
    check("script-src 'nonce-" in hdr.get("Content-Security-Policy", ""),
          f"the page's policy: {hdr}", st)
    check(hdr.get("X-Frame-Options") == "DENY", f"framing: {hdr}", st)
    for label in ("worker:0", "worker:1", "crasher:0", "idle:0"):
        check(f'data-name="{label}"' in page, f"{label} on the page", st)
    check('data-name="build" data-state="idle"' in page,
          "the job, idle, on the page", st)
    # The ward's STATUS= text is shown, escaped: never as markup.
    check("&lt;img src=x onerror=&quot;window.pwned=1&quot;&gt;" in page,
          "the hostile status, escaped", st)
    check('<small class="work">in unit-' in page, "the last WORK= unit",
          st)
    # And so is its output: the crasher's last lines, stderr marked.
    # (A run's lines come within milliseconds of its start: wait for
    # all of them.)
    pages = []

    def crasher_lines_shown():
        pages[:] = [_ask(port, "GET", "/")[2]]
        return '<span class="err">giving up</span>' in pages[0]
    st.wait_for("the crasher's stderr line, marked", crasher_lines_shown,
                timeout=15)
    page = pages[0]
    check("&lt;script&gt;window.pwned=2&lt;/script&gt; crashing" in page,
          "the hostile output line, escaped", st)
    check("x" * 200 + "\u2026" in page and "x" * 201 not in page,
          "a long line cut at 200 bytes", st)
    check("<img" not in page and "<script>window" not in page,
          "no ward-written element on the page", st)
    token = _token(page)
    check(token is not None and len(token) == 32, "the page's token", st)

    pid0 = _pid(st, "worker:0")
    form = "action=restart&name=worker:0"
    # Refused: no token, a wrong one, a GET, another site, another Host.
    code, _, text = _ask(port, "POST", "/web/action", form)
    check(code == 403 and "token" in text, f"no token: {code} {text}", st)
    code, _, text = _ask(port, "POST", "/web/action",
                         form + "&token=" + "0" * 32)
    check(code == 403, f"a wrong token: {code} {text}", st)
    code, hdr, text = _ask(port, "GET", "/web/action?" + form +
                           "&token=" + token)
    check(code == 405 and hdr.get("Allow") == "POST",
          f"an action by GET: {code} {hdr}", st)
    code, _, text = _ask(port, "POST", "/web/action",
                         form + "&token=" + token,
                         {"Origin": "http://evil.example"})
    check(code == 403 and "another site" in text,
          f"from another Origin: {code} {text}", st)
    code, _, text = _ask(port, "POST", "/web/action",
                         form + "&token=" + token,
                         {"Sec-Fetch-Site": "cross-site"})
    check(code == 403, f"Sec-Fetch-Site cross-site: {code} {text}", st)
    code, _, text = _ask(port, "GET", "/",
                         headers={"Host": f"evil.example:{port}"})
    check(code == 403 and "Host evil.example" in text,
          f"a rebound name: {code} {text}", st)
    check(_pid(st, "worker:0") == pid0 and not st.find(
        "stopping", ward="worker", cause="restart") and not st.find(
        "web_action"), "no refused action did anything", st)

    # Bad input: an unknown action, a name too long, one that is not
    # there (escaped in the answer), pages past the end, a hostile filter.
    code, _, text = _ask(port, "POST", "/web/action",
                         "action=explode&name=worker:0&token=" + token)
    check(code == 400 and "start, stop or restart" in text,
          f"an unknown action: {code} {text}", st)
    code, _, text = _ask(port, "POST", "/web/action",
                         "action=stop&name=" + "x" * 5000 + "&token=" +
                         token)
    check(code == 400, f"a long name: {code} {text}", st)
    code, _, text = _ask(port, "POST", "/web/action",
                         "action=stop&name=%3Cb%3E&token=" + token)
    check(code == 404 and "&lt;b&gt;" in text and "<b>" not in text,
          f"no such instance: {code} {text}", st)
    code, _, text = _ask(port, "GET", "/web/rows?page=99999999999999")
    check(code == 200 and "no such page" in text,
          f"a page past the end: {code} {text}", st)
    code, hdr, text = _ask(port, "GET", "/?q=%3Cscript%3Eworker")
    check(code == 200 and "<script>worker" not in text,
          f"a hostile filter: {code}", st)
    code, hdr, text = _ask(port, "GET", "/web/rows?q=crasher")
    check(code == 200 and 'data-name="crasher:0"' in text and
          "worker" not in text, f"the filter: {text[:300]}", st)
    check("4 instances:" in hdr.get("X-Steward-Summary", "") and
          "; 1 job" in hdr.get("X-Steward-Summary", ""),
          f"the summary: {hdr}", st)
    code, _, _ = _ask(port, "GET", "/web/nothing")
    check(code == 404, f"an unknown page: {code}", st)

    # With its token, from the page's own origin: done.
    code, hdr, text = _ask(port, "POST", "/web/action",
                           form + "&token=" + token,
                           {"Origin": f"http://127.0.0.1:{port}"})
    check(code == 303 and hdr.get("Location") == "/",
          f"a form's restart: {code} {hdr} {text}", st)
    st.wait_event("web_action", ward="worker", replica=0, action="restart",
                  peer="127.0.0.1", user=USER)
    st.wait_event("stopping", ward="worker", replica=0, cause="restart")
    st.wait_for("worker:0 running as a new process",
                lambda: _pid(st, "worker:0") not in (None, 0, pid0))
    code, _, text = _ask(port, "POST", "/web/action",
                         "action=start&name=idle:0",
                         {"X-Steward-Token": token,
                          "X-Requested-With": "steward"})
    check(code == 202 and "start idle:0" in text,
          f"a script's start: {code} {text}", st)
    st.wait_event("running", ward="idle")
    check(alive(st.pid), "stewardd is alive", st)
    check(st.stop() == 0, "stewardd exit code", st)


@scenario("web-page-in-chromium")
def web_page_in_chromium():
    """Headless chromium loads the page, clicks restart, sees the new
    process without a reload; no ward-written markup runs; a phone's
    width needs no sideways scroll; screenshots are taken."""
    why = webdriver.missing()
    if why is not None:
        skip(why)
    port = webdriver.free_port()
    st = _steward("webchrome", port)
    yield st.start("-s", st.socket_path, "-l", st.events_path)
    st.wait_event("running", ward="worker", count=2, timeout=15)
    st.wait_event("backoff", ward="crasher", timeout=15)
    shots = os.environ.get("STEWARD_WEB_SHOTS") or st.dir
    b = webdriver.Browser()
    try:
        b.window(1280, 720)
        b.get(f"http://{USER}:{PASSWORD}@127.0.0.1:{port}/")
        names = b.script("return Array.from(document.querySelectorAll("
                         "'#rows tr'), function (r) { return r.dataset.name; "
                         "});")
        check(names == ["worker:0", "worker:1", "crasher:0", "idle:0",
                         "build"],
              f"the rows: {names}", st)
        cell = 'tr[data-name="worker:1"] td.pid'
        pid0 = b.read(cell)
        check(pid0 == str(_pid(st, "worker:1")),
              f"the page's pid {pid0} is stewardd's", st)
        button = 'tr[data-name="worker:1"] button[value="restart"]'
        label = b.read(button, "ariaLabel")
        check(label == "restart worker:1", f"the button's name: {label!r}",
              st)
        b.click_css(button)
        st.wait_event("stopping", ward="worker", replica=1, cause="restart")

        def new_pid_shown():
            shown = b.read(cell)
            state = b.read('tr[data-name="worker:1"] .st')
            return shown not in (None, pid0, "-") and state == "running"
        st.wait_for("the page showing worker:1's new process",
                    new_pid_shown, timeout=20)
        check(b.read(cell) == str(_pid(st, "worker:1")),
              "the page's new pid is stewardd's", st)
        status = b.read('tr[data-name="worker:0"] .status')
        check(status == HOSTILE, f"the hostile status shown as text: "
              f"{status!r}", st)
        def crasher_lines_shown():
            out = b.read('tr[data-name="crasher:0"] pre.out') or ""
            return HOSTILE_LINE in out and "giving up" in out
        st.wait_for("the crasher's last lines shown as text",
                    crasher_lines_shown, timeout=15)
        check(b.script("return window.pwned === undefined && "
                       "document.querySelectorAll('#rows img').length "
                       "=== 0"), "no ward-written markup ran", st)
        check("cannot" not in b.read("#updated"),
              "the page refreshes", st)
        size = b.screenshot(os.path.join(shots, "web.png"))
        check(size > 1000, f"a screenshot ({size} bytes)", st)
        b.window(390, 844)
        wide = b.script("return document.documentElement.scrollWidth - "
                        "window.innerWidth")
        check(wide <= 0, f"a phone's width scrolls sideways by {wide}px",
              st)
        b.screenshot(os.path.join(shots, "web-phone.png"))
        print(f"screenshots in {shots}")
    finally:
        b.close()
    check(st.stop() == 0, "stewardd exit code", st)


BIG_CONF = """[inet_http_server]
port=127.0.0.1:%(port)d

[program:many]
command=sleep 1000
numprocs=250
process_name=%(program_name)s_%(process_num)03d
autostart=false
"""


@scenario("web-page-pages-a-big-fleet")
def web_page_pages_a_big_fleet():
    """250 instances: 100 rows a page, the pager's links, a filter, and
    a page past the end; the summary counts them all."""
    port = webdriver.free_port()
    st = Steward("webbig", "")
    st.supervisord_conf(BIG_CONF.replace("%(port)d", str(port)))
    yield st.start("-s", st.socket_path, "-l", st.events_path)

    def rows(text):
        return re.findall(r'<tr data-name="([^"]+)"', text)
    code, hdr, page = _ask(port, "GET", "/", auth=False)
    got = rows(page)
    check(code == 200 and len(got) == 100 and got[0] == "many:0" and
          got[-1] == "many:99", f"the first page: {code} {got[:3]}...", st)
    check("page 1 of 3" in page and 'href="/?page=1"' in page,
          "the pager", st)
    code, hdr, text = _ask(port, "GET", "/web/rows?page=2", auth=False)
    got = rows(text)
    check(len(got) == 50 and got[0] == "many:200" and got[-1] == "many:249",
          f"the last page: {got[:3]}...", st)
    check(hdr.get("X-Steward-Summary") == "250 instances: 250 stopped",
          f"the summary: {hdr}", st)
    code, hdr, text = _ask(port, "GET", "/web/rows?q=many:24", auth=False)
    got = rows(text)
    check(got == ["many:24"] + [f"many:{n}" for n in range(240, 250)],
          f"the filter: {got}", st)
    code, hdr, page = _ask(port, "GET", "/?q=many:24&page=1", auth=False)
    check(code == 200 and "nothing matches" not in page and
          "no such page" in page, "past the filter's one page", st)
    check(st.stop() == 0, "stewardd exit code", st)

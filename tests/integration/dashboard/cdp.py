"""A small Chrome DevTools Protocol client for the dashboard's browser tests: starts Debian's
headless Chromium, and drives one page the way a person would (typing into fields, clicking at
element coordinates), so it works with the page's scripts disabled."""

import base64
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request

import websocket


class Browser:
    def __init__(self, chromium="chromium"):
        self.profile = tempfile.mkdtemp(prefix="gf-chromium-")
        args = [
            chromium, "--headless=new", "--no-sandbox", "--disable-gpu",
            "--remote-debugging-port=0", "--remote-allow-origins=*",
            "--user-data-dir=" + self.profile, "--no-first-run", "--no-default-browser-check",
            "--disable-extensions", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--window-size=1280,900",
            "about:blank",
        ]
        self.log = open(os.path.join(self.profile, "chromium.log"), "w")
        self.process = subprocess.Popen(args, stdout=self.log, stderr=self.log)
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.time() + 60
        while not os.path.exists(port_file) or os.path.getsize(port_file) == 0:
            if self.process.poll() is not None or time.time() > deadline:
                raise RuntimeError("chromium did not start: see " + self.log.name)
            time.sleep(0.1)
        with open(port_file) as f:
            self.port = int(f.readline())

    def page(self):
        with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/json/list", timeout=10) as r:
            targets = json.load(r)
        page = next(t for t in targets if t["type"] == "page")
        return Page(page["webSocketDebuggerUrl"])

    def close(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)


class Page:
    def __init__(self, ws_url):
        self.ws = websocket.create_connection(ws_url, timeout=300, suppress_origin=True)
        self.next_id = 0
        self.events = []
        self.document_status = None
        self.requests = []        # every URL the page asked for
        self.console = []         # log entries and console messages (CSP violations land here)
        for domain in ("Page", "Network", "Log", "Runtime"):
            self.call(domain + ".enable")

    def _record(self, message):
        method = message.get("method", "")
        params = message.get("params", {})
        if method == "Network.responseReceived" and params.get("type") == "Document":
            self.document_status = params["response"]["status"]
        elif method == "Network.requestWillBeSent":
            self.requests.append(params["request"]["url"])
        elif method == "Log.entryAdded":
            self.console.append(params["entry"].get("text", ""))
        elif method == "Runtime.consoleAPICalled":
            self.console.append(" ".join(str(a.get("value", "")) for a in params.get("args", [])))
        self.events.append(message)

    def call(self, method, **params):
        self.next_id += 1
        call_id = self.next_id
        self.ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == call_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._record(message)

    def wait_event(self, name, timeout=60):
        deadline = time.time() + timeout
        while True:
            for i, message in enumerate(self.events):
                if message.get("method") == name:
                    del self.events[: i + 1]
                    return message.get("params", {})
            if time.time() > deadline:
                raise TimeoutError("no " + name)
            self.ws.settimeout(max(0.1, deadline - time.time()))
            try:
                self._record(json.loads(self.ws.recv()))
            finally:
                self.ws.settimeout(300)

    def disable_scripts(self):
        self.call("Emulation.setScriptExecutionDisabled", value=True)

    def navigate(self, url):
        self.events.clear()
        self.document_status = None
        self.call("Page.navigate", url=url)
        self.wait_event("Page.loadEventFired")
        return self.document_status

    def _node(self, selector):
        root = self.call("DOM.getDocument", depth=0)["root"]["nodeId"]
        node = self.call("DOM.querySelector", nodeId=root, selector=selector)["nodeId"]
        if node == 0:
            raise LookupError("no element matches " + selector)
        return node

    def exists(self, selector):
        try:
            self._node(selector)
            return True
        except LookupError:
            return False

    def type(self, selector, text):
        node = self._node(selector)
        self.call("DOM.focus", nodeId=node)
        self.call("Input.insertText", text=text)

    def click(self, selector, navigates=True):
        node = self._node(selector)
        self.call("DOM.scrollIntoViewIfNeeded", nodeId=node)
        quad = self.call("DOM.getBoxModel", nodeId=node)["model"]["content"]
        x = (quad[0] + quad[4]) / 2
        y = (quad[1] + quad[5]) / 2
        self.events.clear()
        self.document_status = None
        for kind in ("mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left",
                      clickCount=1)
        if navigates:
            self.wait_event("Page.loadEventFired")
        return self.document_status

    def html(self):
        root = self.call("DOM.getDocument", depth=0)["root"]["nodeId"]
        return self.call("DOM.getOuterHTML", nodeId=root)["outerHTML"]

    def text(self, selector="main"):
        """The visible text of an element (innerText needs scripts, so: the HTML without tags)."""
        import html as html_module
        import re
        node = self._node(selector)
        markup = self.call("DOM.getOuterHTML", nodeId=node)["outerHTML"]
        return html_module.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup)))

    def screenshot(self, path, width=1280):
        metrics = self.call("Page.getLayoutMetrics")
        height = int(metrics.get("cssContentSize", metrics.get("contentSize"))["height"])
        self.call("Emulation.setDeviceMetricsOverride", width=width,
                  height=max(600, min(height, 4000)), deviceScaleFactor=1, mobile=False)
        data = self.call("Page.captureScreenshot", format="png")["data"]
        self.call("Emulation.clearDeviceMetricsOverride")
        with open(path, "wb") as f:
            f.write(base64.b64decode(data))

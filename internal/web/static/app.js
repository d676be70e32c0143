// app.js: the tentacle web page's behaviour. Commands go through the
// server's JSON API, as any client's do; the page learns of every change,
// whoever made it, from the push socket and fetches the parts that show it
// again (htmx "refresh" triggers on #plugins, #banners, #orphans and
// #repository). The reload banner follows the server's "reload" message
// alone, whichever page or script made the change.
"use strict";

(function () {
  const body = document.body;
  const csrf = () => body.dataset.csrf || "";

  // api sends a JSON request and returns the decoded answer; it throws an
  // Error with the server's message when the status is not 2xx.
  async function api(method, path, data) {
    const opts = { method, credentials: "same-origin", headers: { "X-CSRF-Token": csrf() } };
    if (data instanceof FormData) {
      opts.body = data;
    } else if (data !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(data);
    }
    const res = await fetch(path, opts);
    const text = await res.text();
    let value = null;
    try { value = text ? JSON.parse(text) : null; } catch (e) { value = text; }
    if (!res.ok) {
      throw new Error((value && value.error) || res.status + " " + res.statusText);
    }
    return value;
  }

  const command = (data) => api("POST", "/api/plugin/pluginmanager", data);

  function toast(text, bad) {
    const el = document.getElementById("toast");
    el.textContent = text;
    el.className = bad ? "bad shown" : "shown";
    clearTimeout(toast.timer);
    toast.timer = setTimeout(() => { el.className = ""; }, 6000);
  }

  // refresh fetches the page's live parts again, at most once per 100 ms.
  let refreshTimer = null;
  function refresh() {
    if (refreshTimer) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      for (const id of ["banners", "plugins", "orphans", "repository"]) {
        const el = document.getElementById(id);
        if (el && window.htmx) htmx.trigger(el, "refresh");
      }
    }, 100);
  }

  function showReload() {
    document.getElementById("reload-banner").hidden = false;
  }

  // Install log and result.
  function logLines(lines) {
    const log = document.getElementById("install-log");
    if (!log) return;
    log.hidden = false;
    for (const l of lines) {
      log.textContent += (l.stream === "stderr" ? "! " : "") + l.line + "\n";
    }
    log.scrollTop = log.scrollHeight;
  }

  let lastInstall = null; // what the last install asked for, to offer a replace
  function onResult(action, res) {
    const status = document.getElementById("install-status");
    const name = res.plugin && (res.plugin.name || res.plugin.key);
    if (res.result) {
      toast((name || "plugin") + ": " + action + " done" + (res.needs_restart ? "; takes effect after a restart" : ""));
    } else {
      toast((name || "plugin") + ": " + action + " failed: " + (res.reason || res.error || "unknown error"), true);
    }
    if (action === "install" && status) {
      status.textContent = res.result ? "Installed " + name + "." : "The install failed: " + (res.reason || res.error);
      if (!res.result && res.status === 409 && res.plugin && res.plugin.key && lastInstall) {
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = "Replace the installed " + name;
        b.addEventListener("click", () => install(lastInstall, res.plugin.key));
        status.append(" ", b);
      }
    }
    refresh();
  }

  // install starts an install: what is {url}, {repository_id} or
  // {file: File}; replace names the installed plugin it replaces.
  async function install(what, replace) {
    lastInstall = what;
    const status = document.getElementById("install-status");
    const log = document.getElementById("install-log");
    status.textContent = "Installing…";
    log.textContent = "";
    try {
      if (what.file) {
        const form = new FormData();
        form.append("file", what.file);
        if (replace) form.append("plugin", replace);
        await api("POST", "/plugin/pluginmanager/upload_file", form);
      } else {
        await command(Object.assign({ command: "install" }, what, replace ? { plugin: replace } : {}));
      }
    } catch (e) {
      status.textContent = "The install failed: " + e.message;
    }
  }

  // Clicks anywhere on the page, by data attribute.
  document.addEventListener("click", async (ev) => {
    const t = ev.target.closest("button");
    if (!t) return;
    const d = t.dataset;
    try {
      if (d.toggle) {
        const on = t.getAttribute("aria-checked") === "true";
        t.disabled = true;
        await command({ command: on ? "disable" : "enable", plugin: d.toggle });
        refresh();
      } else if (d.uninstall) {
        const dlg = document.getElementById("uninstall-dialog");
        document.getElementById("uninstall-name").textContent = d.name;
        document.getElementById("uninstall-cleanup").checked = false;
        dlg.dataset.plugin = d.uninstall;
        dlg.showModal();
      } else if (d.cleanup) {
        await command({ command: "cleanup", plugin: d.cleanup });
        refresh();
      } else if ("cleanupAll" in d) {
        await command({ command: "cleanup_all" });
        refresh();
      } else if (d.installRepository) {
        await install({ repository_id: d.installRepository });
      } else if ("refreshRepository" in d) {
        await command({ command: "refresh_repository" });
        refresh();
      } else if (t.id === "restart") {
        t.disabled = true;
        await api("POST", "/api/system/commands/core/restart");
        toast("Restarting…");
      } else if (t.id === "reload") {
        location.reload();
      } else if (t.id === "signout") {
        await api("POST", "/api/logout");
        location.reload();
      }
    } catch (e) {
      toast(e.message, true);
      refresh();
    }
  });

  const dialog = document.getElementById("uninstall-dialog");
  if (dialog) {
    dialog.addEventListener("close", async () => {
      if (dialog.returnValue !== "uninstall") return;
      const cleanup = document.getElementById("uninstall-cleanup").checked;
      try {
        await command({ command: "uninstall", plugin: dialog.dataset.plugin, cleanup });
      } catch (e) {
        toast(e.message, true);
      }
      refresh();
    });
  }

  const byURL = document.getElementById("install-url");
  if (byURL) {
    byURL.addEventListener("submit", (ev) => {
      ev.preventDefault();
      install({ url: document.getElementById("install-url-input").value });
    });
    document.getElementById("install-file").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const f = document.getElementById("install-file-input").files[0];
      if (f) install({ file: f });
    });
  }

  const signin = document.getElementById("signin");
  if (signin) {
    signin.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const f = new FormData(signin);
      try {
        await api("POST", "/api/login", { user: f.get("user"), pass: f.get("pass"), remember: f.get("remember") === "on" });
        location.reload();
      } catch (e) {
        document.getElementById("signin-error").textContent = e.message;
      }
    });
  }

  // Tabs: one panel shown at a time; arrow keys move between tabs; the
  // shown tab is kept in the address's fragment.
  const tabs = [...document.querySelectorAll('[role="tab"]')];
  function showTab(tab, focus) {
    for (const t of tabs) {
      const on = t === tab;
      t.setAttribute("aria-selected", on ? "true" : "false");
      t.tabIndex = on ? 0 : -1;
      const panel = document.getElementById(t.getAttribute("aria-controls"));
      if (panel) panel.hidden = !on;
    }
    if (focus) tab.focus();
    history.replaceState(null, "", "#" + tab.id);
  }
  for (const t of tabs) {
    t.addEventListener("click", () => showTab(t, false));
    t.addEventListener("keydown", (ev) => {
      const i = tabs.indexOf(t);
      const next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[ev.key];
      if (next === undefined) return;
      ev.preventDefault();
      showTab(tabs[(next + tabs.length) % tabs.length], true);
    });
  }
  if (tabs.length) {
    const wanted = location.hash && document.getElementById(location.hash.slice(1));
    showTab(tabs.includes(wanted) ? wanted : tabs[0], false);
  }

  // Settings forms made from a plugin's defaults: saved through the
  // settings API, with its errors shown by field.
  function setPath(obj, key, value) {
    const parts = key.split(".");
    let o = obj;
    for (const p of parts.slice(0, -1)) o = o[p] = o[p] || {};
    o[parts[parts.length - 1]] = value;
  }
  for (const form of document.querySelectorAll("form.settings-form")) {
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const status = form.querySelector(".form-status");
      for (const e of form.querySelectorAll(".field-error")) e.textContent = "";
      const change = {};
      let bad = false;
      for (const f of form.querySelectorAll(".field")) {
        const key = f.dataset.key;
        const input = f.querySelector("input, textarea");
        if (!input || input.disabled) continue;
        let value;
        switch (f.dataset.type) {
          case "bool": value = input.checked; break;
          case "integer": case "number": value = input.value === "" ? null : Number(input.value); break;
          case "string": value = input.value; break;
          default:
            try { value = input.value.trim() === "" ? null : JSON.parse(input.value); } catch (e) {
              document.getElementById("err-" + key).textContent = "not valid JSON: " + e.message;
              bad = true;
              continue;
            }
        }
        setPath(change, key, value);
      }
      if (bad) { status.textContent = "Not saved: see the fields' errors."; return; }
      try {
        const res = await fetch("/api/settings", {
          method: "POST", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
          body: JSON.stringify(change),
        });
        const answer = await res.json().catch(() => ({}));
        if (!res.ok) {
          for (const [key, msg] of Object.entries(answer.field_errors || {})) {
            const el = document.getElementById("err-" + key);
            if (el) el.textContent = msg;
          }
          status.textContent = "Not saved: " + (answer.error || res.status);
          return;
        }
        status.textContent = "Saved.";
      } catch (e) {
        status.textContent = "Not saved: " + e.message;
      }
    });
  }

  // The setup wizard: its steps one at a time; shown by itself once for
  // each set of steps.
  const wizard = document.getElementById("wizard");
  if (wizard) {
    const steps = [...wizard.querySelectorAll(".wizard-step")];
    const seenKey = "tentacle.wizard." + steps.map((s) => s.querySelector(".plugin-ui").id).join(",");
    let at = 0;
    const show = () => {
      steps.forEach((s, i) => { s.hidden = i !== at; });
      document.getElementById("wizard-back").disabled = at === 0;
      document.getElementById("wizard-next").hidden = at === steps.length - 1;
      document.getElementById("wizard-finish").hidden = at !== steps.length - 1;
    };
    document.getElementById("wizard-back").addEventListener("click", () => { at--; show(); });
    document.getElementById("wizard-next").addEventListener("click", () => { at++; show(); });
    document.getElementById("wizard-finish").addEventListener("click", () => {
      localStorage.setItem(seenKey, "done");
      wizard.close();
    });
    document.getElementById("wizard-open").addEventListener("click", () => { at = 0; show(); wizard.showModal(); });
    if (!localStorage.getItem(seenKey)) { show(); wizard.showModal(); }
  }

  // The push socket: OctoPrint's messages over the raw SockJS websocket.
  let pluginHash = null;
  let stopping = null; // the server's last "stopping" message
  let backoff = 500;
  async function connect() {
    let auth = null;
    try {
      const me = await api("POST", "/api/login", { passive: true });
      if (me && me.name && me.session) auth = me.name + ":" + me.session;
    } catch (e) { /* the server is away: retry below */ }
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const ws = new WebSocket(proto + "//" + location.host + "/sockjs/websocket");
    ws.onopen = () => {
      backoff = 500;
      if (auth) ws.send(JSON.stringify({ auth }));
      body.dataset.socket = "open";
    };
    ws.onmessage = (m) => {
      let msg;
      try { msg = JSON.parse(m.data); } catch (e) { return; }
      if (msg.connected) {
        if (stopping && stopping.restart) {
          location.reload(); // a new run of the server: the page anew
          return;
        }
        if (pluginHash !== null && msg.connected.plugin_hash !== pluginHash) showReload();
        pluginHash = msg.connected.plugin_hash;
        refresh(); // what changed while the socket was away
      } else if (msg.event) {
        const type = msg.event.type || "";
        if (type.startsWith("Plugin") || type.startsWith("plugin_pluginmanager_") || type === "SettingsUpdated") refresh();
      } else if (msg.plugin && msg.plugin.plugin === "pluginmanager") {
        const data = msg.plugin.data || {};
        if (data.type === "loglines") logLines(data.loglines || []);
        if (data.type === "result") onResult(data.action, data);
      } else if (msg.reload) {
        showReload();
      } else if (msg.pluginsChanged || msg.restartNeeded) {
        refresh();
      } else if (msg.stopping) {
        stopping = msg.stopping;
        toast(stopping.restart ? "The server is restarting…" : "The server is shutting down.");
      }
    };
    ws.onclose = () => {
      body.dataset.socket = "closed";
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 10000);
    };
  }
  if (document.getElementById("plugins")) connect();
})();

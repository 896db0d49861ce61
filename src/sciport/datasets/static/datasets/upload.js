// Drag-and-drop resumable uploads into a draft: a small tus 1.0 client (creation, core, checksum, termination).
//
// Each file is created with POST (Upload-Length, Upload-Metadata: target "dataset", the
// draft's version_id, its path, ZIP handling), then sent in 8 MiB PATCH chunks with a
// SHA-256 Upload-Checksum when the browser can compute one. The upload URL is remembered
// in localStorage (by version, path, size and modification time), so after a lost
// connection, a pause or a reload of the page the same file continues from the offset the
// server reports to HEAD. Network errors are retried with growing pauses. The "dataset"
// target attaches each finished upload to the draft itself; we then check that it did
// and ask htmx to refresh the folder browser.
(function () {
  "use strict";

  var TUS_VERSION = "1.0.0";
  var CHUNK_BYTES = 8 * 1024 * 1024;
  var PARALLEL = 3;
  var BACKOFF_MS = [1000, 2000, 4000, 8000, 16000, 30000];
  var STORE_PREFIX = "sciport-tus:";

  function fill(template, values) {
    // Python-style placeholders as in the translated catalogue; "%%" is a percent sign there.
    return template
      .replace(/%\((\w+)\)s/g, function (_all, key) { return values[key] === undefined ? "" : values[key]; })
      .replace(/%%/g, "%");
  }

  function humanSize(bytes) {
    var units = ["B", "KB", "MB", "GB", "TB"];
    var value = bytes;
    var unit = 0;
    while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit += 1; }
    return (unit === 0 ? String(value) : value.toFixed(1)) + " " + units[unit];
  }

  function base64OfBytes(bytes) {
    var text = "";
    for (var index = 0; index < bytes.length; index += 1) text += String.fromCharCode(bytes[index]);
    return window.btoa(text);
  }

  function base64OfText(value) {
    return base64OfBytes(new TextEncoder().encode(value));
  }

  function encodeMetadata(pairs) {
    return Object.keys(pairs).map(function (key) { return key + " " + base64OfText(String(pairs[key])); }).join(",");
  }

  function sleep(ms) {
    return new Promise(function (resolve) { window.setTimeout(resolve, ms); });
  }

  function checksumAvailable() {
    return Boolean(window.crypto && window.crypto.subtle && window.isSecureContext !== false);
  }

  async function sha256Header(buffer) {
    var digest = await window.crypto.subtle.digest("SHA-256", buffer);
    return "sha256 " + base64OfBytes(new Uint8Array(digest));
  }

  async function problemText(response) {
    try {
      var body = await response.json();
      var details = (body.errors || []).map(function (error) { return error.message || error.msg || ""; }).filter(Boolean);
      return [body.detail || body.title || ""].concat(details).filter(Boolean).join(" ");
    } catch (_error) {
      return response.status + " " + response.statusText;
    }
  }

  function PermanentError(message) { this.message = message; }

  // --- collecting files, folders included ------------------------------------------------------

  function readAllEntries(reader) {
    return new Promise(function (resolve, reject) {
      var all = [];
      (function next() {
        reader.readEntries(function (batch) {
          if (!batch.length) { resolve(all); return; }
          all = all.concat(Array.prototype.slice.call(batch));
          next();
        }, reject);
      })();
    });
  }

  async function walk(entry, prefix, found) {
    if (entry.isFile) {
      var file = await new Promise(function (resolve, reject) { entry.file(resolve, reject); });
      found.push({ file: file, path: prefix + file.name });
    } else if (entry.isDirectory) {
      var children = await readAllEntries(entry.createReader());
      for (var index = 0; index < children.length; index += 1) {
        await walk(children[index], prefix + entry.name + "/", found);
      }
    }
  }

  async function droppedFiles(dataTransfer) {
    var found = [];
    var items = dataTransfer.items ? Array.prototype.slice.call(dataTransfer.items) : [];
    var entries = items.map(function (item) { return item.webkitGetAsEntry ? item.webkitGetAsEntry() : null; }).filter(Boolean);
    if (!entries.length) {
      return Array.prototype.map.call(dataTransfer.files, function (file) { return { file: file, path: file.name }; });
    }
    for (var index = 0; index < entries.length; index += 1) await walk(entries[index], "", found);
    return found;
  }

  function chosenFiles(input) {
    return Array.prototype.map.call(input.files, function (file) {
      return { file: file, path: file.webkitRelativePath || file.name };
    });
  }

  // --- one file --------------------------------------------------------------------------------

  function Upload(uploader, file, path) {
    this.uploader = uploader;
    this.file = file;
    this.path = path;
    this.url = null;
    this.offset = 0;
    this.state = "waiting";
    this.controller = null;
    this.unpack = uploader.unpackZips() && /\.zip$/i.test(path);
    this.key = STORE_PREFIX + uploader.versionId + ":" + path + ":" + file.size + ":" + file.lastModified;
    this.render();
  }

  Upload.prototype.render = function () {
    var messages = this.uploader.messages;
    var item = document.createElement("li");
    item.className = "upload-item";
    var name = document.createElement("span");
    name.className = "upload-name";
    name.textContent = this.path;
    name.title = this.path;
    var buttons = document.createElement("span");
    buttons.className = "upload-buttons";
    this.pauseButton = this.button(messages.pause, this.pause.bind(this));
    this.resumeButton = this.button(messages.resume, this.resume.bind(this));
    this.cancelButton = this.button(messages.cancel, this.cancel.bind(this));
    this.resumeButton.hidden = true;
    buttons.append(this.pauseButton, this.resumeButton, this.cancelButton);
    this.bar = document.createElement("progress");
    this.bar.max = 100;
    this.bar.value = 0;
    this.bar.setAttribute("aria-label", fill(messages.progress_label, { name: this.path }));
    this.status = document.createElement("span");
    this.status.className = "upload-status";
    this.status.textContent = messages.waiting;
    item.append(name, buttons, this.bar, this.status);
    this.item = item;
    this.uploader.list.appendChild(item);
  };

  Upload.prototype.button = function (label, action) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button-secondary button-small";
    button.textContent = label;
    button.setAttribute("aria-label", label + ": " + this.path);
    button.addEventListener("click", action);
    return button;
  };

  Upload.prototype.show = function (state, text) {
    this.state = state;
    this.item.classList.toggle("done", state === "done");
    this.item.classList.toggle("failed", state === "failed");
    this.status.textContent = text;
    var active = state === "uploading" || state === "waiting" || state === "retrying" || state === "checking";
    this.pauseButton.hidden = !active;
    this.resumeButton.hidden = !(state === "paused" || state === "failed");
    this.cancelButton.hidden = state === "done" || state === "cancelled";
  };

  Upload.prototype.progress = function () {
    var percent = this.file.size ? Math.floor((this.offset / this.file.size) * 100) : 100;
    this.bar.value = percent;
    this.bar.setAttribute("aria-valuetext", percent + " %");
    return percent;
  };

  Upload.prototype.headers = function (extra) {
    var headers = { "Tus-Resumable": TUS_VERSION, "X-CSRFToken": this.uploader.csrf };
    Object.keys(extra || {}).forEach(function (name) { headers[name] = extra[name]; });
    return headers;
  };

  Upload.prototype.request = function (method, url, headers, body) {
    this.controller = new AbortController();
    return fetch(url, {
      method: method,
      headers: this.headers(headers),
      body: body,
      credentials: "same-origin",
      signal: this.controller.signal,
    });
  };

  Upload.prototype.run = async function () {
    var attempt = 0;
    while (["paused", "cancelled", "done", "failed"].indexOf(this.state) < 0) {
      try {
        await this.step();
        attempt = 0;
      } catch (error) {
        if (error && error.name === "AbortError") return;
        if (error instanceof PermanentError) {
          this.show("failed", fill(this.uploader.messages.failed, { reason: error.message }));
          return;
        }
        if (attempt >= BACKOFF_MS.length) {
          this.show("failed", fill(this.uploader.messages.failed, { reason: this.uploader.messages.offline }));
          return;
        }
        var wait = BACKOFF_MS[attempt];
        attempt += 1;
        this.show("retrying", fill(this.uploader.messages.retrying, { seconds: Math.round(wait / 1000) }));
        this.offsetKnown = false;
        await sleep(wait);
      }
    }
  };

  // One move forward: find or create the upload, learn the offset, send a chunk, or finish.
  Upload.prototype.step = async function () {
    if (!this.url) {
      this.url = window.localStorage.getItem(this.key);
      this.offsetKnown = false;
    }
    if (this.url && !this.offsetKnown) {
      this.show("checking", this.uploader.messages.checking);
      var head = await this.request("HEAD", this.url, {});
      if (head.status === 200) {
        this.offset = parseInt(head.headers.get("Upload-Offset"), 10) || 0;
        this.offsetKnown = true;
      } else if (head.status === 404 || head.status === 410 || head.status === 403) {
        this.forget();
      } else {
        throw new Error("HEAD " + head.status);
      }
    }
    if (!this.url) {
      await this.create();
      return;
    }
    if (this.offset >= this.file.size) {
      await this.finish();
      return;
    }
    await this.sendChunk();
  };

  Upload.prototype.metadata = function () {
    var pairs = {
      target: "dataset",
      version_id: this.uploader.versionId,
      filename: this.file.name,
      path: this.uploader.folder() ? this.uploader.folder() + "/" + this.path : this.path,
    };
    if (this.unpack) pairs.unpack = "true";
    return pairs;
  };

  Upload.prototype.create = async function () {
    var response = await this.request("POST", this.uploader.endpoint, {
      "Upload-Length": String(this.file.size),
      "Upload-Metadata": encodeMetadata(this.metadata()),
    });
    if (response.status !== 201) {
      if (response.status >= 500 || response.status === 423) throw new Error("POST " + response.status);
      throw new PermanentError(await problemText(response));
    }
    this.url = new URL(response.headers.get("Location"), window.location.href).toString();
    this.offset = parseInt(response.headers.get("Upload-Offset") || "0", 10) || 0;
    this.offsetKnown = true;
    window.localStorage.setItem(this.key, this.url);
  };

  Upload.prototype.sendChunk = async function () {
    var end = Math.min(this.offset + CHUNK_BYTES, this.file.size);
    var buffer = await this.file.slice(this.offset, end).arrayBuffer();
    var headers = { "Upload-Offset": String(this.offset), "Content-Type": "application/offset+octet-stream" };
    if (checksumAvailable()) headers["Upload-Checksum"] = await sha256Header(buffer);
    this.show("uploading", this.progressText());
    var response = await this.request("PATCH", this.url, headers, buffer);
    if (response.status === 204) {
      this.offset = parseInt(response.headers.get("Upload-Offset"), 10) || end;
      this.show("uploading", this.progressText());
      return;
    }
    if (response.status === 409 || response.status === 460) {
      // Another offset than ours (a lost answer), or the chunk arrived damaged: ask again, send again.
      this.offsetKnown = false;
      return;
    }
    if (response.status === 404 || response.status === 410) {
      this.forget();
      return;
    }
    if (response.status >= 500 || response.status === 423) throw new Error("PATCH " + response.status);
    throw new PermanentError(await problemText(response));
  };

  Upload.prototype.progressText = function () {
    var percent = this.progress();
    return fill(this.uploader.messages.uploading, {
      percent: percent,
      sent: humanSize(this.offset),
      total: humanSize(this.file.size),
    });
  };

  // All bytes are there: the target attached the file when the last chunk arrived; make sure it did.
  Upload.prototype.finish = async function () {
    this.progress();
    this.show("checking", this.uploader.messages.attaching);
    var response = await this.request("GET", this.url, { Accept: "application/json" });
    if (response.status >= 500) throw new Error("GET " + response.status);
    var body = response.ok ? await response.json() : {};
    window.localStorage.removeItem(this.key);
    if (body.state === "consumed") {
      this.show("done", this.uploader.messages.done);
      this.uploader.filesChanged();
    } else {
      this.show("failed", this.uploader.messages.not_attached);
    }
  };

  Upload.prototype.forget = function () {
    window.localStorage.removeItem(this.key);
    this.url = null;
    this.offset = 0;
    this.offsetKnown = false;
  };

  Upload.prototype.pause = function () {
    this.show("paused", fill(this.uploader.messages.paused, { percent: this.progress() }));
    if (this.controller) this.controller.abort();
  };

  Upload.prototype.resume = function () {
    this.offsetKnown = false;
    this.show("waiting", this.uploader.messages.waiting);
    this.uploader.schedule(this);
  };

  Upload.prototype.cancel = async function () {
    var url = this.url;
    this.show("cancelled", this.uploader.messages.cancelled);
    if (this.controller) this.controller.abort();
    window.localStorage.removeItem(this.key);
    if (url) {
      try { await fetch(url, { method: "DELETE", headers: this.headers({}), credentials: "same-origin" }); } catch (_error) { /* it expires */ }
    }
  };

  // --- the drop zone and the queue -------------------------------------------------------------

  function Uploader(root) {
    this.root = root;
    this.endpoint = root.getAttribute("data-endpoint");
    this.versionId = root.getAttribute("data-version");
    this.csrf = root.getAttribute("data-csrf");
    this.list = root.querySelector("[data-upload-list]");
    this.messages = JSON.parse(document.getElementById(root.getAttribute("data-messages")).textContent);
    this.queue = [];
    this.running = 0;
    this.refreshTimer = null;
    this.bind();
    this.announceUnfinished();
  }

  Uploader.prototype.bind = function () {
    var zone = this.root.querySelector("[data-drop-zone]");
    var self = this;
    ["dragenter", "dragover"].forEach(function (name) {
      zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("dragging"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      zone.addEventListener(name, function () { zone.classList.remove("dragging"); });
    });
    zone.addEventListener("drop", async function (event) {
      event.preventDefault();
      self.add(await droppedFiles(event.dataTransfer));
    });
    this.root.querySelectorAll("input[type=file][data-file-input]").forEach(function (input) {
      input.addEventListener("change", function () {
        self.add(chosenFiles(input));
        input.value = "";
      });
    });
  };

  Uploader.prototype.unpackZips = function () {
    var chosen = this.root.querySelector("input[name=zip-handling]:checked");
    return Boolean(chosen && chosen.value === "unpack");
  };

  // New files go into the folder the browser shows.
  Uploader.prototype.folder = function () {
    var browser = document.getElementById("file-browser");
    return browser ? browser.getAttribute("data-folder") || "" : "";
  };

  Uploader.prototype.add = function (found) {
    var self = this;
    found.forEach(function (each) { self.schedule(new Upload(self, each.file, each.path)); });
  };

  Uploader.prototype.schedule = function (upload) {
    this.queue.push(upload);
    this.pump();
  };

  Uploader.prototype.pump = function () {
    var self = this;
    while (this.running < PARALLEL && this.queue.length) {
      var upload = this.queue.shift();
      if (upload.state === "cancelled" || upload.state === "paused") continue;
      this.running += 1;
      upload.run().finally(function () {
        self.running -= 1;
        self.pump();
      });
    }
  };

  // Refresh the folder browser once a burst of finished uploads settles.
  Uploader.prototype.filesChanged = function () {
    window.clearTimeout(this.refreshTimer);
    this.refreshTimer = window.setTimeout(function () {
      document.body.dispatchEvent(new CustomEvent("files-changed"));
    }, 300);
  };

  // Uploads this browser left unfinished in this draft (a reload, a closed tab): say how to continue them.
  Uploader.prototype.announceUnfinished = function () {
    var prefix = STORE_PREFIX + this.versionId + ":";
    var count = 0;
    for (var index = 0; index < window.localStorage.length; index += 1) {
      if (window.localStorage.key(index).indexOf(prefix) === 0) count += 1;
    }
    var notice = this.root.querySelector("[data-unfinished]");
    if (count && notice) {
      notice.textContent = fill(this.messages.unfinished, { count: count });
      notice.hidden = false;
    }
  };

  function start() {
    document.querySelectorAll("[data-uploader]").forEach(function (root) { root.uploader = new Uploader(root); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

/* Live witness ledger for regulators and the trading centre: new events are prepended as they are recorded. */
(function () {
  "use strict";
  var table = document.getElementById("ledger-table");
  if (!table || table.getAttribute("data-live") !== "1" || !("WebSocket" in window)) { return; }
  var tbody = table.tBodies[0];
  var status = document.querySelector("[data-live-status]");
  var labelsNode = document.getElementById("ledger-labels");
  var labels = labelsNode ? JSON.parse(labelsNode.textContent) : { roles: {}, subjects: {} };
  var detailUrl = table.getAttribute("data-detail-url");
  var onlyAction = table.getAttribute("data-filter-action") || "";
  var onlyTender = table.getAttribute("data-filter-tender") || "";
  var timeZone = table.getAttribute("data-time-zone") || undefined;
  var texts = { live: status ? status.getAttribute("data-text-live") : "", lost: status ? status.getAttribute("data-text-lost") : "" };
  var stamp = new Intl.DateTimeFormat("sv-SE", {
    timeZone: timeZone, year: "numeric", month: "2-digit", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false
  });
  var seen = {};
  Array.prototype.forEach.call(tbody.rows, function (row) {
    var first = row.cells[0];
    if (first) { seen[first.textContent.trim()] = true; }
  });
  var delay = 1000;

  function cell(row, text, className) {
    var td = row.insertCell(-1);
    if (className) { td.className = className; }
    if (text instanceof Node) { td.appendChild(text); } else { td.textContent = text === "" || text == null ? "—" : text; }
    return td;
  }

  function link(href, text) {
    var a = document.createElement("a");
    a.href = href;
    a.textContent = text;
    return a;
  }

  function show(event) {
    if (seen[String(event.seq)]) { return; }
    if (onlyAction && event.action !== onlyAction) { return; }
    if (onlyTender && String(event.tender) !== onlyTender) { return; }
    seen[String(event.seq)] = true;
    var empty = tbody.querySelector(".empty-row");
    if (empty) { empty.remove(); }
    var row = tbody.insertRow(0);
    row.className = "fresh";
    cell(row, link(detailUrl.replace("999999999", String(event.seq)), String(event.seq)), "num");
    cell(row, stamp.format(new Date(event.time)), "nowrap");
    cell(row, event.actor);
    cell(row, event.organisation);
    cell(row, labels.roles[event.role] || event.role, "nowrap");
    cell(row, event.ip, "mono nowrap");
    var action = document.createElement("span");
    action.appendChild(document.createTextNode(event.action_label || event.action));
    action.appendChild(document.createElement("br"));
    var code = document.createElement("span");
    code.className = "mono muted small";
    code.textContent = event.action;
    action.appendChild(code);
    cell(row, action);
    var label = (labels.subjects[event.subject_type] || event.subject_type) + " #" + event.subject_id;
    cell(row, link(detailUrl.replace("999999999", String(event.seq)), label));
  }

  function setStatus(text, ok) {
    if (!status) { return; }
    status.textContent = text;
    status.className = "live-status badge " + (ok ? "badge-active" : "badge-pending");
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + table.getAttribute("data-ws-path"));
    socket.onopen = function () { delay = 1000; setStatus(texts.live, true); };
    socket.onmessage = function (message) {
      try { show(JSON.parse(message.data)); } catch (err) { /* a malformed frame is ignored */ }
    };
    socket.onclose = function (closed) {
      setStatus(texts.lost, false);
      if (closed.code === 4403) { return; }
      window.setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    };
  }
  connect();
})();

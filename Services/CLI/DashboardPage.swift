/// The dashboard's one page: plain HTML, CSS and JavaScript, no external scripts or fonts (it must
/// work offline). It draws from `/api/status` at once and then from the `/events` stream.
enum DashboardPage {
    static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>fooddelivery — live</title>
        <style>
          body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1d2433; background: #f6f7fb; }
          h1 { font-size: 1.3rem; margin: 0 0 .2rem; } h2 { font-size: 1rem; margin: 1.2rem 0 .4rem; }
          .muted { color: #68708a; } .cards { display: flex; gap: 1rem; flex-wrap: wrap; }
          .card { background: #fff; border-radius: 8px; padding: .8rem 1rem; box-shadow: 0 1px 3px #0001; min-width: 9rem; }
          .card b { display: block; font-size: 1.6rem; }
          table { border-collapse: collapse; background: #fff; box-shadow: 0 1px 3px #0001; border-radius: 8px; }
          th, td { padding: .35rem .7rem; text-align: left; border-bottom: 1px solid #eef0f5; font-variant-numeric: tabular-nums; }
          .down { color: #b42318; font-weight: 600; } .up { color: #027a48; font-weight: 600; }
          .bar { display: inline-block; height: .7rem; background: #6172f3; border-radius: 3px; vertical-align: middle; }
          .charts { display: flex; gap: 1rem; flex-wrap: wrap; } .chart { background: #fff; border-radius: 8px; padding: .5rem; box-shadow: 0 1px 3px #0001; }
          svg text { font-size: 10px; fill: #68708a; }
        </style>
        </head>
        <body>
        <h1>fooddelivery — live</h1>
        <div class="muted">topic <span id="topic">…</span> · updated <span id="updated">…</span> · <span id="connection">connecting…</span></div>

        <h2>Order flow</h2>
        <div class="cards">
          <div class="card"><span class="muted">orders</span><b id="orders-total">–</b></div>
          <div class="card"><span class="muted">events published</span><b id="published">–</b></div>
          <div class="card"><span class="muted">events/s</span><b id="rate">–</b></div>
          <div class="card"><span class="muted">dead-lettered</span><b id="dlq-total">–</b></div>
        </div>

        <h2>Events per type</h2>
        <table id="types"><tbody></tbody></table>

        <h2>Consumer groups</h2>
        <table id="groups">
          <thead><tr><th>group member</th><th>state</th><th>owns partitions</th><th>lag per partition</th><th>total lag</th><th>applied</th><th>queries</th></tr></thead>
          <tbody></tbody>
        </table>

        <ul id="unowned"></ul>

        <h2>Lag per partition over time</h2>
        <div class="charts" id="charts"></div>

        <h2>Rebalances</h2>
        <table id="rebalances"><thead><tr><th>when</th><th>member</th><th>partitions before</th><th>after</th></tr></thead><tbody></tbody></table>

        <script>
        const queries = {
          restaurants: [["restaurants", "/restaurants"]],
          delivery: [["couriers", "/couriers"], ["in flight", "/deliveries/in-flight"]],
          support: [["late orders", "/orders/late"]],
          analytics: [["summary", "/summary"], ["per minute", "/regions/orders-per-minute"]],
        };
        const colors = ["#6172f3", "#f79009", "#12b76a", "#f04438", "#7a5af8", "#0ba5ec"];
        let previous = null;

        function cell(text, cls) { const td = document.createElement("td"); td.textContent = text; if (cls) td.className = cls; return td; }

        function render(snapshot) {
          const status = snapshot.status, stats = status.producer.stats;
          document.getElementById("topic").textContent = status.topic;
          document.getElementById("updated").textContent = new Date(status.takenAt).toLocaleTimeString();
          document.getElementById("orders-total").textContent = stats ? stats.orders : "–";
          document.getElementById("published").textContent = stats ? stats.published : "–";
          if (stats && previous && previous.status.producer.stats) {
            const seconds = (new Date(status.takenAt) - new Date(previous.status.takenAt)) / 1000;
            if (seconds > 0) document.getElementById("rate").textContent = Math.round((stats.published - previous.status.producer.stats.published) / seconds);
          }
          document.getElementById("dlq-total").textContent = status.groups.reduce((sum, g) => sum + (g.deadLettered || 0), 0);

          const types = document.querySelector("#types tbody"); types.replaceChildren();
          const counts = stats ? Object.entries(stats.publishedByType).sort() : [];
          const most = Math.max(1, ...counts.map(([, n]) => n));
          for (const [type, n] of counts) {
            const tr = document.createElement("tr");
            tr.append(cell(type), cell(n));
            const bar = document.createElement("td"); const span = document.createElement("span");
            span.className = "bar"; span.style.width = (200 * n / most) + "px"; bar.append(span); tr.append(bar);
            types.append(tr);
          }

          const groups = document.querySelector("#groups tbody"); groups.replaceChildren();
          for (const g of status.groups) {
            const member = g.service + "#" + g.instance;
            const tr = document.createElement("tr"); tr.className = "group-row"; tr.dataset.member = member;
            tr.append(cell(member), cell(g.running ? "up" : "DOWN", g.running ? "up" : "down"),
              cell(g.assignment ? (g.assignment.length ? g.assignment.join(", ") : "none") : "–"),
              cell(g.partitions.map(p => "p" + p.partition + ":" + (p.lag ?? "?")).join("  ")),
              cell(g.totalLag ?? "?", "lag-total"), cell(g.applied ?? "–"));
            const links = document.createElement("td");
            const base = snapshot.links[g.instance === 1 ? g.service : g.service + "-" + g.instance];
            for (const [label, path] of (queries[g.service] || [])) {
              const a = document.createElement("a"); a.href = base + path; a.textContent = label; a.target = "_blank";
              links.append(a, document.createTextNode(" "));
            }
            tr.append(links); groups.append(tr);
          }

          // Partitions nobody in a group owns (as a running member sees its group): nobody consumes them.
          const warnings = document.getElementById("unowned"); warnings.replaceChildren();
          const seen = new Set();
          for (const g of status.groups) {
            const view = g.groupView;
            if (!view || !view.unowned.length || seen.has(g.service)) continue;
            seen.add(g.service);
            const lag = view.partitions.filter(p => view.unowned.includes(p.partition)).reduce((sum, p) => sum + (p.lag || 0), 0);
            const since = view.unownedSince ? " for " + Math.round((new Date(status.takenAt) - new Date(view.unownedSince)) / 1000) + " s" : "";
            const li = document.createElement("li"); li.className = "down"; li.dataset.group = g.service;
            li.textContent = g.service + ": partition(s) " + view.unowned.join(", ") + " have no owner" + since + ", lag there " + lag;
            warnings.append(li);
          }

          const charts = document.getElementById("charts"); charts.replaceChildren();
          const points = snapshot.points;
          for (const member of Object.keys(points.length ? points[points.length - 1].lag : {}).sort()) {
            const width = 320, height = 120, pad = 24;
            const series = {};
            points.forEach((point, i) => { for (const [p, lag] of Object.entries(point.lag[member] || {})) (series[p] ||= []).push([i, lag]); });
            const max = Math.max(1, ...Object.values(series).flat().map(([, lag]) => lag));
            const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
            svg.setAttribute("width", width); svg.setAttribute("height", height); svg.dataset.member = member;
            const title = document.createElementNS(svg.namespaceURI, "text"); title.setAttribute("x", 4); title.setAttribute("y", 12);
            title.textContent = member + " (max " + max + ")"; svg.append(title);
            Object.keys(series).sort().forEach((p, k) => {
              const line = document.createElementNS(svg.namespaceURI, "polyline");
              line.setAttribute("fill", "none"); line.setAttribute("stroke", colors[k % colors.length]); line.setAttribute("stroke-width", "1.5");
              line.setAttribute("points", series[p].map(([i, lag]) => (pad + i * (width - pad - 4) / Math.max(1, points.length - 1)) + "," + (height - 14 - lag * (height - 34) / max)).join(" "));
              svg.append(line);
            });
            const box = document.createElement("div"); box.className = "chart"; box.append(svg); charts.append(box);
          }

          const rebalances = document.querySelector("#rebalances tbody"); rebalances.replaceChildren();
          for (const r of snapshot.rebalances.slice().reverse()) {
            const tr = document.createElement("tr");
            tr.append(cell(new Date(r.at).toLocaleTimeString()), cell(r.member), cell(r.from ? r.from.join(", ") || "none" : "–"), cell(r.to ? r.to.join(", ") || "none" : "left / down"));
            rebalances.append(tr);
          }
          previous = snapshot;
        }

        // Live updates as server-sent events; `?poll=<ms>` polls instead (for tools that wait for the
        // page's network to go quiet, such as a headless browser taking a screenshot).
        const poll = Number(new URLSearchParams(location.search).get("poll"));
        function load() {
          return fetch("api/status").then(r => r.json()).then(render)
            .then(() => document.getElementById("connection").textContent = poll ? "polling" : "live")
            .catch(() => document.getElementById("connection").textContent = "cannot reach the dashboard server");
        }
        if (poll > 0) {
          const tick = () => load().then(() => setTimeout(tick, poll));
          tick();
        } else {
          load();
          const events = new EventSource("events");
          events.onopen = () => document.getElementById("connection").textContent = "live";
          events.onerror = () => document.getElementById("connection").textContent = "reconnecting…";
          events.onmessage = (message) => render(JSON.parse(message.data));
        }
        </script>
        </body>
        </html>
        """#
}

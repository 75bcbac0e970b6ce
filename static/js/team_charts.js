// The team dashboard's charts. Each figure's table holds the numbers and the
// chart is drawn from it, so the two never disagree. Drawn on load and again
// when team.js swaps in fresh figures ("team:updated"). Without Chart.js the
// server's markup stays as it is: tables open, canvases hidden.
(() => {
  const Chart = window.Chart;
  if (typeof Chart !== "function") return;
  const charts = new Map(); // figure name -> Chart
  const opened = new Set(); // figures whose table the reader opened
  const reduced = window.matchMedia("(prefers-reduced-motion: reduce)");
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 13;

  const colour = (name, fallback) =>
    (name && getComputedStyle(document.documentElement).getPropertyValue(name).trim()) || fallback;

  const read = (table) => {
    const heads = [...table.tHead.rows[0].cells].slice(1);
    const rows = [...table.tBodies[0].rows];
    return {
      labels: rows.map((row) => row.cells[0].dataset.short || row.cells[0].textContent.trim()),
      titles: rows.map((row) => row.cells[0].textContent.trim()),
      columns: heads.map((head, n) => ({
        label: head.textContent.trim(),
        kind: head.dataset.kind === "line" ? "line" : "bar",
        colour: colour(head.dataset.colour, "#1d232b"),
        values: rows.map((row) => {
          const cell = row.cells[n + 1];
          return Number(cell.dataset.value ?? cell.textContent);
        }),
      })),
    };
  };

  const dataset = (column) => ({
    type: column.kind,
    label: column.label,
    data: column.values,
    backgroundColor: column.colour,
    borderColor: column.colour,
    // Lines above bars; bars are squares and a line's points diamonds in the
    // legend too, so shape tells them apart as well as colour.
    order: column.kind === "line" ? 0 : 1,
    borderWidth: column.kind === "line" ? 3 : 0,
    pointStyle: column.kind === "line" ? "rectRot" : "rect",
    pointRadius: 5,
    tension: 0,
  });

  const draw = (figure) => {
    const name = figure.dataset.chart;
    const table = figure.querySelector("[data-chart-table]");
    const box = figure.querySelector(".chart-box");
    const canvas = box && box.querySelector("canvas");
    const details = figure.querySelector("[data-chart-figures]");
    if (!table || !canvas) return;
    const { labels, titles, columns } = read(table);
    const ink = colour("--ink", "#1d232b");
    const muted = colour("--muted", "#4a5563");
    const grid = colour("--line", "#d6d0c4");
    box.hidden = false;
    try {
      charts.set(
        name,
        new Chart(canvas, {
          type: "bar",
          data: { labels, datasets: columns.map(dataset) },
          options: {
            responsive: true,
            maintainAspectRatio: false,
            animation: reduced.matches ? false : { duration: 400 },
            color: ink,
            plugins: {
              legend: {
                display: columns.length > 1,
                labels: { color: ink, usePointStyle: true, sort: (a, b) => a.datasetIndex - b.datasetIndex },
              },
              tooltip: { callbacks: { title: (items) => titles[items[0].dataIndex] } },
            },
            scales: {
              x: { ticks: { color: muted }, grid: { display: false } },
              y: { beginAtZero: true, ticks: { color: muted, precision: 0 }, grid: { color: grid } },
            },
          },
        }),
      );
    } catch (error) {
      box.hidden = true;
      if (details) details.open = true;
      throw error;
    }
    if (details) details.open = opened.has(name);
  };

  const drawAll = () => {
    charts.forEach((chart) => chart.destroy());
    charts.clear();
    document.querySelectorAll("#team-live [data-chart]").forEach(draw);
  };

  // Keep a table the reader opened open across live updates.
  document.addEventListener(
    "toggle",
    ({ target }) => {
      if (!(target instanceof HTMLDetailsElement) || !target.matches("[data-chart-figures]")) return;
      const name = target.closest("[data-chart]")?.dataset.chart;
      if (!name || !charts.has(name)) return;
      if (target.open) opened.add(name);
      else opened.delete(name);
    },
    true,
  );
  document.addEventListener("team:updated", drawAll);
  reduced.addEventListener("change", drawAll);
  drawAll();
})();

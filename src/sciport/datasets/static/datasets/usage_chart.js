// The landing page's usage chart: views and downloads by month, drawn with the locally served plotly.min.js.
document.addEventListener("DOMContentLoaded", () => {
  const target = document.getElementById("usage-chart");
  const source = document.getElementById("usage-data");
  if (!target || !source || !window.Plotly) return;
  const data = JSON.parse(source.textContent);
  const bars = (values, name) => ({ x: data.months, y: values, name, type: "bar" });
  window.Plotly.newPlot(
    target,
    [bars(data.views, data.labels.views), bars(data.downloads, data.labels.downloads)],
    {
      barmode: "group",
      height: 240,
      margin: { t: 8, r: 8, b: 32, l: 40 },
      xaxis: { type: "category" },
      yaxis: { rangemode: "tozero", tickformat: "d" },
      legend: { orientation: "h" },
    },
    { displaylogo: false, responsive: true },
  );
});

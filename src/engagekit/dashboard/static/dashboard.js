// Draws every chart of the page from its data-figure attribute (figures are built on the server,
// see engagekit/dashboard/charts.py), and lets the funnel form add steps.
"use strict";

function drawCharts() {
  document.querySelectorAll("[data-figure]").forEach(function (element) {
    var figure = JSON.parse(element.getAttribute("data-figure"));
    var spark = element.classList.contains("spark");
    window.Plotly.newPlot(element, figure.data, figure.layout, {
      displayModeBar: false,
      responsive: true,
      staticPlot: spark,
    });
  });
}

function addStepButton() {
  var button = document.getElementById("add-step");
  if (!button) {
    return;
  }
  button.addEventListener("click", function () {
    var list = document.getElementById("funnel-steps");
    var item = document.createElement("li");
    var input = document.createElement("input");
    input.type = "text";
    input.name = "step";
    input.size = 40;
    item.appendChild(input);
    list.appendChild(item);
    input.focus();
  });
}

document.addEventListener("DOMContentLoaded", function () {
  addStepButton();
  drawCharts();
  document.body.setAttribute("data-ready", "true");
});

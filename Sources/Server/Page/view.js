// Parts of the page that need no document: which problem the message line shows, and where the chart's
// axis labels go. app.js uses them; node runs them in the tests (ServerTests/PageTests).
"use strict";

// The problems standing, by the part of the page that met them (grid, style, training, ...): the line shows the
// latest one still standing, and a part's next success clears its own.
class Problems {
  constructor() { this.standing = new Map(); }

  set(source, text) {
    this.standing.delete(source);
    if (text) this.standing.set(source, text);
    return this.current();
  }

  current() {
    const texts = [...this.standing.values()];
    return texts.length ? texts[texts.length - 1] : "";
  }
}

// The x-axis labels of a chart from x0 to x1 drawn between pixels left and right: `count + 1` evenly spaced
// values, each with its pixel and text alignment. The first label starts at its tick and the last one ends at
// its tick, so neither runs past the chart's edges.
function xTicks(x0, x1, left, right, count = 4) {
  return Array.from({ length: count + 1 }, (_, i) => {
    const value = x0 + (x1 - x0) * i / count;
    return { value, x: left + (value - x0) / (x1 - x0) * (right - left), align: i === 0 ? "left" : i === count ? "right" : "center" };
  });
}

if (typeof module !== "undefined") module.exports = { Problems, xTicks };

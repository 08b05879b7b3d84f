// mermaid's browser build (scripts/ensure-mermaid puts mermaid.min.js beside this file) as the module nbconvert's
// flow-chart renderer imports: the build is a classic script that sets globalThis.mermaid.
await new Promise((resolve, reject) => {
  const script = document.createElement("script");
  script.src = new URL("./mermaid.min.js", import.meta.url).href;
  script.onload = resolve;
  script.onerror = reject;
  document.head.appendChild(script);
});
export default globalThis.mermaid;

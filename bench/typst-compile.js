// Typst 0.14 (npm @myriaddreamin/typst-ts-node-compiler, installed by
// bench/run.sh into bench/typst/) compiling one .typ file to PDF, as a whole
// process like leafpress, with only the fonts in FONTS_DIR (no system fonts).
// usage: node bench/typst-compile.js IN.typ OUT.pdf FONTS_DIR
const path = require("path");
const fs = require("fs");
const { NodeCompiler } = require(path.join(__dirname, "typst", "node_modules",
  "@myriaddreamin", "typst-ts-node-compiler"));
const [input, output, fonts] = process.argv.slice(2);
const compiler = NodeCompiler.create({
  workspace: path.dirname(path.resolve(input)),
  fontArgs: [{ fontPaths: [path.resolve(fonts)] }],
});
const pdf = compiler.pdf({ mainFilePath: path.resolve(input) });
fs.writeFileSync(output, pdf);

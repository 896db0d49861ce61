// The reference tus server for bench/tus_upload.py: tus.io's own @tus/server with @tus/file-store.
// It verifies no checksum (Upload-Checksum is ignored). Usage: node tus_node_server.mjs PORT FOLDER
import http from "node:http";
import { FileStore } from "@tus/file-store";
import { Server } from "@tus/server";

const [port, directory] = process.argv.slice(2);
const tus = new Server({ path: "/files", datastore: new FileStore({ directory }) });
const server = http.createServer((request, response) => tus.handle(request, response));
server.listen(Number(port), "127.0.0.1", () => console.log(`tus node server on 127.0.0.1:${port}`));
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => server.close(() => process.exit(0)));

export const id = 149;
export const ids = [149];
export const modules = {

/***/ 2149:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   saveCacheInWorker: () => (/* binding */ saveCacheInWorker)
/* harmony export */ });
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_worker_threads__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(5919);
/* harmony import */ var node_worker_threads__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_worker_threads__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var _library_output_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(3486);
// Runs @actions/cache saveCache in a worker thread (save-worker.ts) and reads what it writes.
//
// The library prints to the step log through @actions/core, which writes to process.stdout, and
// it has no option to stop it. A worker started with Node's `stdout: true` and `stderr: true`
// options has streams of its own that the starting thread reads (worker.stdout, worker.stderr):
// every line the library writes, however late, reaches the action instead of the runner, and is
// demoted and recorded (library-output.ts). Nothing of the process is patched for it.
//
// The worker's env is a copy of process.env taken here, its cwd the process's; it loads the
// library itself, so the library's modules never load in the action's own thread. It is not
// stopped at a deadline (the caller gives up waiting, as before; the process ends when the
// action exits), and a worker still running keeps the event loop alive as the library's own
// requests would.



/**
 * saveCache(paths, key) in a worker: resolves with the cache id it returned, rejects with its
 * error's message. What the library writes is recorded in `output` and written to this process's
 * stdout as debug lines (masks as they are).
 */
function saveCacheInWorker(paths, key, output, script = saveWorkerScript()) {
    const request = { paths, key, replyMarker: `save-worker-reply-${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomUUID)()} ` };
    const worker = new node_worker_threads__WEBPACK_IMPORTED_MODULE_1__.Worker(script, { workerData: request, stdout: true, stderr: true });
    return new Promise((resolve, reject) => {
        const demote = (line) => {
            const rewritten = (0,_library_output_js__WEBPACK_IMPORTED_MODULE_2__/* .demoteChunk */ .o)(line, output);
            if (rewritten !== '')
                process.stdout.write(rewritten);
        };
        eachLine(worker.stdout, (line) => {
            if (!line.startsWith(request.replyMarker))
                return demote(line);
            const reply = parseReply(line.slice(request.replyMarker.length));
            if (reply.status === 'saved')
                resolve(reply.cacheId);
            else
                reject(new Error(reply.message));
        }, () => reject(new Error('the save worker ended without an answer')));
        // Demoted stderr goes to stdout: a debug command is honoured there, whatever the stream.
        eachLine(worker.stderr, demote);
        // Thrown in the worker outside the save (its script failed to load): the same as a failed save.
        worker.once('error', reject);
    });
}
/** Calls `onLine` for every line of `stream` as it arrives (the last one even without a newline), then `onEnd`. */
function eachLine(stream, onLine, onEnd) {
    let pending = '';
    stream.setEncoding('utf8');
    stream.on('data', (text) => {
        const lines = (pending + text).split('\n');
        pending = lines.pop() ?? '';
        for (const line of lines)
            onLine(line.replace(/\r$/, ''));
    });
    stream.on('end', () => {
        if (pending !== '')
            onLine(pending);
        onEnd?.();
    });
}
function parseReply(text) {
    try {
        return JSON.parse(text);
    }
    catch {
        return { status: 'failed', message: 'the save worker answered in a form it should not' };
    }
}
/**
 * The worker's script. In the bundle this module sits in a chunk directly under dist/, beside the
 * worker's own entry, dist/save-worker/index.js; run from the sources (tsx, as the cache tests'
 * driver does: a worker inherits its loader), it is save-worker.ts beside this file.
 */
function saveWorkerScript() {
    const here = import.meta.url;
    return here.endsWith('.ts') ? new URL('./save-worker.ts', here) : new URL('./save-worker/index.js', here);
}


/***/ })

};

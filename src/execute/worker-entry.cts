/**
 * The module piscina loads in each worker thread — CommonJS on purpose.
 *
 * piscina require()s its worker module and import()s it only when that
 * fails. On Node 20.19+ require() loads an ES module by instantiating it
 * synchronously, and a thread terminated in the middle of that (the pool
 * stopping early: a failed task, Ctrl-C) aborts the whole process with
 * "FATAL ERROR: v8::Module::IsGraphAsync must be used on an instantiated
 * module". This file is plain CommonJS, so require() is safe, and it
 * import()s the real worker module (`workerData.module`, an ES module whose
 * default export handles a task) on the first task.
 */
import { workerData } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';

type TaskHandler = (request: unknown) => unknown;

let handler: Promise<TaskHandler> | undefined;

function load(): Promise<TaskHandler> {
  const file = (workerData as { module: string }).module;
  return import(pathToFileURL(file).href).then((loaded: { default: TaskHandler }) => loaded.default);
}

export = async function runTask(request: unknown): Promise<unknown> {
  handler ??= load();
  return (await handler)(request);
};

import v8 from 'node:v8';
import vm from 'node:vm';

/**
 * The heap in use after full collections, for tests of what a structure keeps alive: V8's `gc`,
 * exposed at run time (a flag set now takes effect in contexts made after it), run twice so that
 * what the first one only finalised goes too.
 */
export function heapAfterCollection(): number {
  v8.setFlagsFromString('--expose-gc');
  const collect = vm.runInNewContext('gc') as () => void;
  collect();
  collect();
  return v8.getHeapStatistics().used_heap_size;
}

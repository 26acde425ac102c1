/*
 * A stand-in host for the musl builds, where no Node runs on this machine (Node's musl builds are
 * not on npm, and Bun's musl builds need a musl libstdc++ that Debian does not package). Built by
 * zig as a dynamically linked musl executable, it loads the addon with musl's own dynamic loader:
 * dlopen(RTLD_NOW) resolves every library the addon needs and every symbol it imports (each
 * N-API function is a stub exported from here, generated into napi-stubs.h from the addon's
 * undefined symbols) and runs its initializers; then the addon's N-API entry point is looked up.
 * What this does not do is call into the addon: that needs a JavaScript engine.
 */
#include <dlfcn.h>
#include <stdio.h>
#include "napi-stubs.h"

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: %s addon.node\n", argv[0]);
    return 64;
  }
  void *addon = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (!addon) {
    fprintf(stderr, "dlopen: %s\n", dlerror());
    return 1;
  }
  void *entry = dlsym(addon, "napi_register_module_v1");
  if (!entry) {
    fprintf(stderr, "dlsym napi_register_module_v1: %s\n", dlerror());
    return 2;
  }
  printf("loaded %s: napi_register_module_v1 found, %d N-API imports stubbed\n", argv[1], NAPI_STUBS);
  return 0;
}

// The system SQLite 3 library (Debian: libsqlite3-dev; macOS: the SDK). No package, no vendored copy.
#include <sqlite3.h>

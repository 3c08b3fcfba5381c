// zlib, for `lookout serve`'s gzip answers (Prometheus scrapes with Accept-Encoding: gzip).
#include <zlib.h>

#ifndef CRDKAFKA_SHIM_H
#define CRDKAFKA_SHIM_H
// librdkafka >= 2.2 (see scripts/setup.sh for why).
#include <librdkafka/rdkafka.h>
#endif

/* The `crosstraffic` measurement (QIR's MeasurementCrossTraffic, abbreviation C, unit kbps):
 * as goodput with one 25 MiB file (timeout 180 s) while an iperf3 TCP flow competes on the same
 * link (the simulator's tcp-cross-traffic scenario). */
#include "checks/check.h"

quire_verdict quire_check_crosstraffic(const quire_check_ctx *ctx, char *why, size_t whylen)
{
    return quire_check_run(ctx, quire_judge_goodput, why, whylen);
}

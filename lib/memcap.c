/* attache: the rule of the memory ceiling for clients (memcap.h). */
#include "memcap.h"

enum att_memcap_act att_memcap_decide(struct att_memcap *m, const struct att_memcap_in *in,
                                      size_t *share)
{
    size_t excess;
    unsigned __int128 part;

    *share = 0;
    m->checks++;
    if (in->cap == 0 || in->total <= in->cap) {
        m->over_since_us = 0;
        return ATT_MC_UNDER;
    }
    if (m->over_since_us == 0)
        m->over_since_us = in->now_us != 0 ? in->now_us : 1;
    excess = in->total - in->cap;
    part = (unsigned __int128)excess * (in->mine < in->total ? in->mine : in->total);
    *share = (size_t)((part + in->total - 1) / in->total);
    if (in->total - in->cap > in->cap / 2 ||
        in->now_us - m->over_since_us >= in->grace_us)
        return ATT_MC_CLOSE;
    return ATT_MC_PAUSE;
}

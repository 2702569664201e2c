/* attached: the token of TCP clients, and what counts as a loopback
 * address (where no token is needed by default). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "token.h"

void auth_init(struct auth *a)
{
    memset(a, 0, sizeof *a);
    pthread_mutex_init(&a->mu, NULL);
}

void auth_destroy(struct auth *a)
{
    att_token_free(a->tok, a->len);
    a->tok = NULL;
    a->len = 0;
    pthread_mutex_destroy(&a->mu);
}

void auth_set(struct auth *a, char *tok, size_t len)
{
    char *old;
    size_t old_len;

    pthread_mutex_lock(&a->mu);
    old = a->tok;
    old_len = a->len;
    a->tok = tok;
    a->len = tok ? len : 0;
    pthread_mutex_unlock(&a->mu);
    att_token_free(old, old_len);
}

bool auth_required(struct auth *a)
{
    bool on;

    pthread_mutex_lock(&a->mu);
    on = a->tok != NULL;
    pthread_mutex_unlock(&a->mu);
    return on;
}

bool auth_check(struct auth *a, const char *tok, size_t len)
{
    bool ok;

    pthread_mutex_lock(&a->mu);
    ok = a->tok == NULL || att_token_equal(a->tok, a->len, tok, len);
    pthread_mutex_unlock(&a->mu);
    return ok;
}

bool auth_is_loopback(const struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const void *)sa;

        return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const void *)sa;
        const unsigned char *b = in6->sin6_addr.s6_addr;

        if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
            return true;
        return IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && b[12] == 127;
    }
    return false;
}

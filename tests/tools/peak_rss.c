/* peak_rss PROGRAM [ARG...]: run PROGRAM and print its peak resident
 * memory in KiB to stderr as the last line ("peak_rss_kib N"), exiting with
 * its status. A test cannot measure this from Python: a child forked from
 * the test runner starts with the runner's own high-water mark (Linux keeps
 * it across exec), which grows with every test run before. Forked from
 * this small program, the child's mark is its own. */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    struct rusage ru;
    int status = 0;
    pid_t pid;

    if (argc < 2) {
        fprintf(stderr, "usage: peak_rss PROGRAM [ARG...]\n");
        return 2;
    }
    pid = fork();
    if (pid < 0) {
        perror("peak_rss: fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[1], argv + 1);
        perror("peak_rss: exec");
        _exit(127);
    }
    if (wait4(pid, &status, 0, &ru) != pid) {
        perror("peak_rss: wait4");
        return 2;
    }
    fprintf(stderr, "peak_rss_kib %ld\n", ru.ru_maxrss);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

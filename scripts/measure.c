/*
 * measure.c - runs a command and records its wall time and peak memory.
 *
 *   measure RESULT_FILE COMMAND [ARG...]
 *
 * Writes "SECONDS PEAK_KIB EXIT_STATUS" to RESULT_FILE. scripts/bench
 * builds and uses it because on Linux a child's memory high-water mark
 * starts at its parent's: measured straight from Python, every program
 * would seem to need at least as much memory as the Python process that
 * started it. This launcher is small, so the floor it adds is too.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: measure RESULT_FILE COMMAND [ARG...]\n");
        return 2;
    }
    struct timespec start, end;
    clock_gettime(CLOCK_MONOTONIC, &start);
    pid_t pid = fork();
    if (pid < 0) {
        perror("measure: fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        perror("measure: exec");
        _exit(127);
    }
    int status;
    if (waitpid(pid, &status, 0) < 0) {
        perror("measure: waitpid");
        return 2;
    }
    clock_gettime(CLOCK_MONOTONIC, &end);
    struct rusage usage;
    getrusage(RUSAGE_CHILDREN, &usage);

    FILE *out = fopen(argv[1], "w");
    if (out == NULL) {
        perror("measure: result file");
        return 2;
    }
    fprintf(out, "%.6f %ld %d\n",
            (double)(end.tv_sec - start.tv_sec) +
                (double)(end.tv_nsec - start.tv_nsec) / 1e9,
            usage.ru_maxrss, WIFEXITED(status) ? WEXITSTATUS(status) : 128);
    return fclose(out) == 0 ? 0 : 2;
}

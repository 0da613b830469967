package org.dml4j.cli;

/** Process exit codes of every command. */
final class ExitCodes {
    static final int OK = 0;
    /** An unexpected failure (a full disk, a diverged run, a bug). */
    static final int FAILURE = 1;
    /** A bad flag or flag value, or one this build cannot serve (--use_gpu=True on the CPU build). */
    static final int USAGE = 2;
    /** Bad input data: a list line, a missing or undecodable image, too little data for what is asked. */
    static final int DATA = 3;
    /** A model that does not fit the flags: another architecture, loss or batch layout, another feature width. */
    static final int MODEL_MISMATCH = 4;
    /** Stopped by Ctrl-C after writing a checkpoint (128 + SIGINT, as shells report it). */
    static final int INTERRUPTED = 130;

    static final String[] HELP_LIST = {
        "0:success", "1:failure", "2:bad flag or flag value (also --use_gpu=True on the CPU build)",
        "3:bad data (list line, missing or unreadable image, too little data)",
        "4:model mismatch (a checkpoint trained with other flags, an index of another width)",
        "130:interrupted by Ctrl-C after writing a checkpoint"};

    private ExitCodes() {
    }
}

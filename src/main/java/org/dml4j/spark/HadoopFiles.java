package org.dml4j.spark;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.dml4j.error.DataException;

/** Reading whole files through Hadoop's file systems (local, HDFS, S3, … whatever the cluster has). */
final class HadoopFiles {
    private HadoopFiles() {
    }

    /**
     * @throws FileNotFoundException when it does not exist
     * @throws IOException           when it cannot be read
     */
    static byte[] read(String path, Configuration conf) throws IOException {
        Path p = new Path(path);
        FileSystem fs = p.getFileSystem(conf);
        long length = fs.getFileStatus(p).getLen();
        if (length > Integer.MAX_VALUE - 8) {
            throw new IOException(path + " is larger than 2 GB");
        }
        try (InputStream in = fs.open(p)) {
            return in.readAllBytes();
        }
    }

    /** As {@link #read}, a missing or unreadable file a data error naming it and what it was for. */
    static byte[] readOrFail(String path, String what, Configuration conf) {
        try {
            return read(path, conf);
        } catch (FileNotFoundException e) {
            throw new DataException(path + ": " + what + " not found");
        } catch (IOException e) {
            throw new DataException(path + ": cannot read " + what + ": " + e.getMessage(), e);
        }
    }

    static boolean exists(String path, Configuration conf) {
        try {
            Path p = new Path(path);
            return p.getFileSystem(conf).exists(p);
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code child} resolved against the folder {@code parent} (a URI or a local path). */
    static String resolve(String parent, String child) {
        return new Path(new Path(parent), child).toString();
    }

    /** The folder holding {@code file}. */
    static String parent(String file) {
        Path p = new Path(file).getParent();
        return p == null ? "." : p.toString();
    }
}

package org.dml4j.model.cpu;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;
import static org.bytedeco.dnnl.global.dnnl.dnnl_cpu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_engine_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_f32;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_equal;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_get_size;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_init_by_tag;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_set_data_handle;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_query_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_execute;
import static org.bytedeco.dnnl.global.dnnl.dnnl_reorder_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_default_flags;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_wait;
import static org.bytedeco.dnnl.global.dnnl.dnnl_success;

import java.util.Arrays;
import java.util.function.Function;
import org.bytedeco.dnnl.const_dnnl_op_desc_t;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc_t;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * oneDNN 2.5 (JavaCPP's dnnl preset), called directly by the CPU training layers for float32 NCHW maps:
 * {@link OneDnnConvolution} and {@link OneDnnBatchNorm}. DL4J M2.1 reaches its own bundled oneDNN only
 * through helpers that create, reorder and recompute around every call, and runs BatchNorm as a chain of
 * small operations; at ResNet18's 32 px maps that overhead is most of a training step
 * (docs/PERFORMANCE.md, change 10: the layers of a step 0.32 s through DL4J, 0.07–0.09 s measured
 * through oneDNN directly).
 *
 * <p>Each layer keeps its primitives (created once per input shape; oneDNN's own cache makes a second
 * layer of the same shape cheap) and memory objects whose buffers are pointed at the layer's ND4J arrays
 * at each call: the arrays stay NCHW/OIHW, and where a primitive wants its blocked layout the data is
 * reordered into per-thread scratch buffers and back. Switched off with {@code -Ddml4j.onednn=false}
 * (then the layers run their ND4J paths, as when the library cannot be loaded).
 */
final class OneDnn {
    /** System property: "false" keeps the training layers on their ND4J/DL4J paths. */
    static final String PROPERTY = "dml4j.onednn";

    private static final Logger LOG = LoggerFactory.getLogger(OneDnn.class);
    private static final Object LOCK = new Object();
    private static volatile dnnl_engine engine;
    private static volatile boolean failed;
    /** A stream per thread: a stream is not to be shared between threads (DataParallel's workers). */
    private static final ThreadLocal<dnnl_stream> STREAM = ThreadLocal.withInitial(() -> {
        dnnl_stream s = new dnnl_stream();
        check(dnnl_stream_create(s, engine(), dnnl_stream_default_flags), "stream_create");
        return s;
    });
    /** Per-thread scratch buffers by role, grown as needed; a layer's call uses them only while it runs. */
    private static final ThreadLocal<BytePointer[]> SCRATCH = ThreadLocal.withInitial(() -> new BytePointer[Role.values().length]);

    /** What a scratch buffer holds during a call. */
    enum Role { SOURCE, WEIGHTS, DESTINATION, DIFF_DESTINATION, DIFF_SOURCE, DIFF_WEIGHTS }

    private OneDnn() {
    }

    /**
     * Whether the layers may use oneDNN for {@code x}: float32 on ND4J's CPU backend, the property not
     * "false", and the library loaded (tried once; a failure is logged once and the ND4J paths are used).
     */
    static boolean usableFor(INDArray x) {
        if (x.dataType() != DataType.FLOAT || !Nd4j.getEnvironment().isCPU()
                || "false".equalsIgnoreCase(System.getProperty(PROPERTY, "true")) || failed) {
            return false;
        }
        try {
            engine();
            return true;
        } catch (RuntimeException | LinkageError e) {
            failed = true;
            LOG.warn("oneDNN (org.bytedeco:dnnl) could not be loaded, training layers use ND4J's operations: {}",
                    e.toString());
            return false;
        }
    }

    static dnnl_engine engine() {
        dnnl_engine e = engine;
        if (e == null) {
            synchronized (LOCK) {
                if (engine == null) {
                    Loader.load(org.bytedeco.dnnl.global.dnnl.class);
                    dnnl_engine created = new dnnl_engine();
                    check(dnnl_engine_create(created, dnnl_cpu, 0), "engine_create");
                    engine = created;
                }
                e = engine;
            }
        }
        return e;
    }

    /** @throws IllegalStateException naming the call when oneDNN returns an error status */
    static void check(int status, String what) {
        if (status != dnnl_success) {
            throw new IllegalStateException("oneDNN " + what + " failed with status " + status);
        }
    }

    /**
     * A layer's primitives for its current input shape: built on the first input of a shape (again when the
     * shape changes, e.g. a last, smaller batch), or never again once oneDNN has refused them (logged once,
     * naming the layer and the path used instead).
     */
    static final class PerShape<T> {
        private final Function<long[], T> build;
        private final String fallback;
        private long[] shape;
        private T built;
        private boolean refused;

        /**
         * @param build    the primitives for an input shape; throws IllegalStateException when oneDNN offers none
         * @param fallback what the layer runs instead, for the log line
         */
        PerShape(Function<long[], T> build, String fallback) {
            this.build = build;
            this.fallback = fallback;
        }

        /** The primitives for {@code x}, or null when oneDNN is not to be used for it ({@link #usableFor}). */
        T forInput(INDArray x, String layerId) {
            if (refused || !usableFor(x)) {
                return null;
            }
            if (built == null || !Arrays.equals(shape, x.shape())) {
                try {
                    built = build.apply(x.shape());
                    shape = x.shape();
                } catch (IllegalStateException e) {
                    refused = true;
                    built = null;
                    LOG.warn("{}: {}; {} is used", layerId, e.getMessage(), fallback);
                }
            }
            return built;
        }
    }

    /** A plain float32 memory descriptor: dims in the layout of {@code tag} (nchw, oihw, x, nc). */
    static dnnl_memory_desc_t desc(long[] dims, int tag) {
        dnnl_memory_desc_t d = new dnnl_memory_desc_t();
        check(dnnl_memory_desc_init_by_tag(d, dims.length, dims, dnnl_f32, tag), "memory_desc_init " + Arrays.toString(dims));
        return d;
    }

    /** A copy of a descriptor the primitive descriptor reports (its own lives only as long as it does). */
    static dnnl_memory_desc_t query(dnnl_primitive_desc pd, int what, int index) {
        dnnl_memory_desc_t reported = dnnl_primitive_desc_query_md(pd, what, index);
        if (reported == null || reported.isNull()) {
            throw new IllegalStateException("oneDNN reports no memory descriptor for query " + what);
        }
        dnnl_memory_desc_t copy = new dnnl_memory_desc_t();
        Pointer.memcpy(copy, reported, copy.sizeof());
        return copy;
    }

    static dnnl_primitive_desc primitiveDesc(Pointer opDesc, dnnl_primitive_desc hint, String what) {
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        check(dnnl_primitive_desc_create(pd, new const_dnnl_op_desc_t(opDesc), null, engine(), hint), what);
        return pd;
    }

    static dnnl_primitive primitive(dnnl_primitive_desc pd, String what) {
        dnnl_primitive p = new dnnl_primitive();
        check(dnnl_primitive_create(p, pd), what);
        return p;
    }

    /** A memory object without a buffer of its own: {@link #point} gives it one before each call. */
    static final class Memory {
        final dnnl_memory_desc_t desc;
        final dnnl_memory memory = new dnnl_memory();
        final long bytes;

        Memory(dnnl_memory_desc_t desc) {
            this.desc = desc;
            this.bytes = dnnl_memory_desc_get_size(desc);
            check(dnnl_memory_create(memory, desc, engine(), null), "memory_create");
        }

        /** The same layout as {@code other}. */
        boolean sameLayout(Memory other) {
            return dnnl_memory_desc_equal(desc, other.desc) == 1;
        }

        /** Points at a contiguous C-ordered array's buffer (checked: its length must fill the descriptor). */
        void point(INDArray a) {
            if (a.length() * 4 != bytes || a.dataType() != DataType.FLOAT || !denseC(a)) {
                throw new IllegalArgumentException("array " + Arrays.toString(a.shape()) + " does not fit a " + bytes
                        + "-byte oneDNN buffer");
            }
            point(a.data().address() + a.offset() * 4);
        }

        /** Elements laid out as a C-ordered array of its shape (size-1 dimensions' strides do not matter). */
        private static boolean denseC(INDArray a) {
            long expected = 1;
            for (int i = a.rank() - 1; i >= 0; i--) {
                if (a.size(i) > 1 && a.stride(i) != expected) {
                    return false;
                }
                expected *= a.size(i);
            }
            return true;
        }

        void point(long address) {
            check(dnnl_memory_set_data_handle(memory, new Address(address)), "memory_set_data_handle");
        }

        /** Points at this thread's scratch buffer for {@code role}. */
        void pointAtScratch(Role role) {
            BytePointer[] buffers = SCRATCH.get();
            BytePointer b = buffers[role.ordinal()];
            if (b == null || b.capacity() < bytes + 64) {
                b = new BytePointer(Math.max(bytes + 64, b == null ? 0 : b.capacity() * 3 / 2));
                buffers[role.ordinal()] = b;
            }
            point((b.address() + 63) & ~63L);   // 64-byte aligned, as oneDNN allocates its own
        }
    }

    /** A raw address as a JavaCPP pointer. */
    private static final class Address extends Pointer {
        Address(long address) {
            this.address = address;
        }
    }

    /** A primitive with its arguments (memory objects whose buffers are set before each call). */
    static final class Call {
        private final dnnl_primitive primitive;
        private final dnnl_exec_arg_t args;
        private final int count;
        private final String what;

        /** @param argsAndMemories argument kind (DNNL_ARG_*), memory, kind, memory, … */
        Call(dnnl_primitive primitive, String what, Object... argsAndMemories) {
            this.primitive = primitive;
            this.what = what;
            this.count = argsAndMemories.length / 2;
            this.args = new dnnl_exec_arg_t(count);
            for (int i = 0; i < count; i++) {
                args.position(i).arg((Integer) argsAndMemories[2 * i]).memory(((Memory) argsAndMemories[2 * i + 1]).memory);
            }
            args.position(0);
        }

        void run() {
            dnnl_stream stream = STREAM.get();
            check(dnnl_primitive_execute(primitive, stream, count, args), what);
            check(dnnl_stream_wait(stream), what);
        }
    }

    /** A reorder from one layout to another. */
    static Call reorder(Memory from, Memory to) {
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        check(dnnl_reorder_primitive_desc_create(pd, from.desc, engine(), to.desc, engine(), null), "reorder");
        return new Call(primitive(pd, "reorder"), "reorder", DNNL_ARG_FROM, from, DNNL_ARG_TO, to);
    }

    /** An argument of a primitive: the NCHW/OIHW array, and the primitive's own layout where it differs. */
    static final class Operand {
        final int arg;
        final Memory user;
        final int query;
        final Role role;
        final boolean input;
        Memory own;
        Call reorder;

        Operand(int arg, Memory user, int query, Role role, boolean input) {
            this.arg = arg;
            this.user = user;
            this.query = query;
            this.role = role;
            this.input = input;
        }
    }

    /** One primitive with the reorders around it. */
    static final class Step {
        private final Operand[] operands;
        private final Call call;

        /**
         * @param fixed further arguments whose memory keeps its own buffer (argument kind, memory, …)
         */
        Step(dnnl_primitive_desc pd, String what, Operand[] operands, Object... fixed) {
            this.operands = operands;
            Object[] args = new Object[2 * operands.length + fixed.length];
            System.arraycopy(fixed, 0, args, 2 * operands.length, fixed.length);
            for (int i = 0; i < operands.length; i++) {
                Operand o = operands[i];
                Memory wanted = new Memory(query(pd, o.query, 0));
                if (wanted.sameLayout(o.user)) {
                    o.own = o.user;
                } else {
                    o.own = wanted;
                    o.reorder = o.input ? reorder(o.user, wanted) : reorder(wanted, o.user);
                }
                args[2 * i] = o.arg;
                args[2 * i + 1] = o.own;
            }
            this.call = new Call(primitive(pd, what), what, args);
        }

        Operand operand(int arg) {
            for (Operand o : operands) {
                if (o.arg == arg) {
                    return o;
                }
            }
            throw new IllegalArgumentException("no argument " + arg);
        }

        /**
         * Inputs reordered into scratch, the primitive, outputs reordered back (user buffers already set).
         *
         * @param ready the argument whose scratch buffer already holds its reordered input, or -1
         */
        void run(int ready) {
            for (Operand o : operands) {
                if (o.reorder != null) {
                    o.own.pointAtScratch(o.role);
                    if (o.input && o.arg != ready) {
                        o.reorder.run();
                    }
                }
            }
            call.run();
            for (Operand o : operands) {
                if (o.reorder != null && !o.input) {
                    o.reorder.run();
                }
            }
        }
    }
}

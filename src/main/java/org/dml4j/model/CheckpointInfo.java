package org.dml4j.model;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.dml4j.data.ImageShape;
import org.dml4j.error.DataException;

/**
 * What a checkpoint is ({@code checkpoint.json}, format {@value #FORMAT}): the network it holds
 * (architecture, embedding vertex), how it was trained (loss, batch layout, schedule, seed), on
 * which data (each list's SHA-256, image and class counts), by which versions, when, and after
 * which iteration. Commands that load a model take the flags they were not given from here and
 * refuse flags that contradict it ({@link #flags}).
 *
 * <p>Checkpoints written before this record (format 0, an untyped map with the model, embedding
 * size, stride rule, device count, loss name and the configuration as text) are read too; what
 * they did not store (the image shape in some) is null.
 *
 * @param format          {@value #FORMAT} for files written by this version, 0 for the old map
 * @param iteration       the iteration the checkpoint was taken after (−1: not from training)
 * @param model           {@code --model}
 * @param imageShape      {@code --image_shape}, or null where an old checkpoint did not store it
 * @param embeddingSize   {@code --embedding_size}
 * @param strideIn1x1     {@code --stride_in_1x1}
 * @param embeddingVertex the vertex whose output is the embedding
 * @param training        how it was trained, or null for a network saved outside training
 * @param data            the lists it was trained and tested on (empty when unknown)
 * @param versions        dml4j, Deeplearning4j and Java versions that wrote it (empty when unknown)
 * @param created         when it was written, or null when unknown
 */
public record CheckpointInfo(int format, long iteration, String model, ImageShape imageShape, int embeddingSize,
                             boolean strideIn1x1, String embeddingVertex, Training training, List<DataList> data,
                             Map<String, String> versions, Instant created) {
    /** The format this version writes. */
    public static final int FORMAT = 1;

    /**
     * How the checkpoint was trained; every field is the value of the flag of the same name.
     */
    public record Training(String lossName, double arcScale, double arcMargin, boolean arcEasyMargin,
                           int samplesEachClass, double margin, double npairsRegLambda, int numShards, int classDim,
                           int trainBatchSize, int numDevices, long seed, double lr, String lrStrategy,
                           String lrSteps) {
    }

    /**
     * One list file a run read.
     *
     * @param split  "train" or "test"
     * @param path   the list file as given
     * @param sha256 hex SHA-256 of its bytes
     * @param images images used (after leaving out unreadable ones)
     * @param classes distinct labels among them
     */
    public record DataList(String split, String path, String sha256, int images, int classes) {
    }

    public CheckpointInfo {
        data = List.copyOf(data);
        versions = Collections.unmodifiableMap(new LinkedHashMap<>(versions));
    }

    /**
     * A network saved outside training (an exported or hand-built model, a test's): its architecture
     * and embedding vertex, this version, now.
     */
    public static CheckpointInfo of(Architecture arch, String embeddingVertex, long iteration) {
        return new CheckpointInfo(FORMAT, iteration, arch.backbone().name(), arch.shape(), arch.embeddingSize(),
                arch.strideIn1x1(), embeddingVertex, null, List.of(), versionsNow(), Instant.now());
    }

    /** The architecture flags (and, from training, the training flags) as their flags' text values. */
    public Map<String, String> flags() {
        return flagsOf(model, imageShape, embeddingSize, strideIn1x1, training);
    }

    /**
     * Flags as {@link #flags} writes them, for a run's own configuration (so that the two compare
     * as text): {@code --model}, {@code --image_shape} (left out when null), {@code --embedding_size},
     * {@code --stride_in_1x1}, and with {@code training} its flags.
     */
    public static Map<String, String> flagsOf(String model, ImageShape imageShape, int embeddingSize,
                                              boolean strideIn1x1, Training training) {
        Map<String, String> f = new LinkedHashMap<>();
        f.put("--model", model);
        if (imageShape != null) {
            f.put("--image_shape", imageShape.toString());
        }
        f.put("--embedding_size", Integer.toString(embeddingSize));
        f.put("--stride_in_1x1", Boolean.toString(strideIn1x1));
        if (training != null) {
            Training t = training;
            f.put("--loss_name", t.lossName());
            f.put("--arc_scale", Double.toString(t.arcScale()));
            f.put("--arc_margin", Double.toString(t.arcMargin()));
            f.put("--arc_easy_margin", Boolean.toString(t.arcEasyMargin()));
            f.put("--samples_each_class", Integer.toString(t.samplesEachClass()));
            f.put("--margin", Double.toString(t.margin()));
            f.put("--npairs_reg_lambda", Double.toString(t.npairsRegLambda()));
            f.put("--num_shards", Integer.toString(t.numShards()));
            f.put("--class_dim", Integer.toString(t.classDim()));
            f.put("--train_batch_size", Integer.toString(t.trainBatchSize()));
            f.put("--num_devices", Integer.toString(t.numDevices()));
            f.put("--seed", Long.toString(t.seed()));
            f.put("--lr", Double.toString(t.lr()));
            f.put("--lr_strategy", t.lrStrategy());
            f.put("--lr_steps", t.lrSteps());
        }
        return f;
    }

    /**
     * Where {@code requested} (flag → value, as {@link #flagsOf} writes them) contradicts this
     * checkpoint, for the flags in {@code keys} both know: one "--flag=X here, Y in the checkpoint"
     * each, empty when they agree.
     */
    public List<String> contradictions(Map<String, String> requested, List<String> keys) {
        Map<String, String> mine = flags();
        List<String> out = new ArrayList<>();
        for (String k : keys) {
            String here = requested.get(k);
            String there = mine.get(k);
            if (here != null && there != null && !here.equals(there)) {
                out.add(k + "=" + here + " here, " + there + " in the checkpoint");
            }
        }
        return out;
    }

    /** The architecture flags, in the order messages list them. */
    public static final List<String> ARCHITECTURE = List.of("--model", "--image_shape", "--embedding_size",
            "--stride_in_1x1");

    /** What an exact resume needs besides the architecture. */
    public static final List<String> TRAINING = List.of("--loss_name", "--arc_scale", "--arc_margin",
            "--arc_easy_margin", "--samples_each_class", "--margin", "--npairs_reg_lambda", "--num_devices",
            "--num_shards", "--class_dim", "--train_batch_size", "--seed", "--lr", "--lr_strategy", "--lr_steps");

    /** dml4j's version (from the jar; "development build" from classes), Deeplearning4j's and Java's. */
    public static Map<String, String> versionsNow() {
        String v = CheckpointInfo.class.getPackage().getImplementationVersion();
        Map<String, String> m = new LinkedHashMap<>();
        m.put("dml4j", v == null ? "development build" : v);
        m.put("deeplearning4j", DL4J_VERSION);
        m.put("java", System.getProperty("java.version"));
        return m;
    }

    /** The Deeplearning4j release dml4j is built on (its jars carry no version in their manifests). */
    public static final String DL4J_VERSION = "1.0.0-M2.1";

    /** The checkpoint.json content. */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("format", format);
        json.put("iteration", iteration);
        json.put("next_iteration", iteration + 1);
        Map<String, Object> arch = new LinkedHashMap<>();
        arch.put("model", model);
        arch.put("image_shape", imageShape == null ? null : imageShape.toString());
        arch.put("embedding_size", embeddingSize);
        arch.put("stride_in_1x1", strideIn1x1);
        json.put("architecture", arch);
        json.put("embedding_vertex", embeddingVertex);
        if (training != null) {
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("loss_name", training.lossName());
            t.put("arc_scale", training.arcScale());
            t.put("arc_margin", training.arcMargin());
            t.put("arc_easy_margin", training.arcEasyMargin());
            t.put("samples_each_class", training.samplesEachClass());
            t.put("margin", training.margin());
            t.put("npairs_reg_lambda", training.npairsRegLambda());
            t.put("num_shards", training.numShards());
            t.put("class_dim", training.classDim());
            t.put("train_batch_size", training.trainBatchSize());
            t.put("num_devices", training.numDevices());
            t.put("seed", training.seed());
            t.put("lr", training.lr());
            t.put("lr_strategy", training.lrStrategy());
            t.put("lr_steps", training.lrSteps());
            json.put("training", t);
        }
        List<Map<String, Object>> lists = new ArrayList<>();
        for (DataList d : data) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("split", d.split());
            m.put("path", d.path());
            m.put("sha256", d.sha256());
            m.put("images", d.images());
            m.put("classes", d.classes());
            lists.add(m);
        }
        json.put("data", lists);
        json.put("versions", new LinkedHashMap<>(versions));
        json.put("created", created == null ? null : created.toString());
        return json;
    }

    /**
     * Reads checkpoint.json content of either format.
     *
     * @param source names the file in messages
     * @throws DataException naming the file and the field when a value has the wrong type or is missing
     */
    @SuppressWarnings("unchecked")
    public static CheckpointInfo fromJson(Map<String, Object> json, String source) {
        Fields j = new Fields(json, source);
        if (!json.containsKey("format")) {
            return legacy(j, source);
        }
        int format = j.integer("format");
        if (format > FORMAT) {
            throw new DataException(source + ": checkpoint format " + format + " is newer than this dml4j reads ("
                    + FORMAT + "); use a newer dml4j");
        }
        Fields a = j.object("architecture");
        String shape = a.textOrNull("image_shape");
        Training training = null;
        if (json.get("training") != null) {
            Fields t = j.object("training");
            training = new Training(t.text("loss_name"), t.number("arc_scale"), t.number("arc_margin"),
                    t.bool("arc_easy_margin"), t.integer("samples_each_class"), t.number("margin"),
                    t.number("npairs_reg_lambda"), t.integer("num_shards"), t.integer("class_dim"),
                    t.integer("train_batch_size"), t.integer("num_devices"), t.longInteger("seed"), t.number("lr"),
                    t.text("lr_strategy"), t.text("lr_steps"));
        }
        List<DataList> data = new ArrayList<>();
        if (json.get("data") instanceof List<?> lists) {
            for (Object o : lists) {
                Fields d = new Fields((Map<String, Object>) o, source + " data");
                data.add(new DataList(d.text("split"), d.text("path"), d.text("sha256"), d.integer("images"),
                        d.integer("classes")));
            }
        }
        Map<String, String> versions = new LinkedHashMap<>();
        if (json.get("versions") instanceof Map<?, ?> v) {
            v.forEach((k, val) -> versions.put(String.valueOf(k), String.valueOf(val)));
        }
        String created = j.textOrNull("created");
        return new CheckpointInfo(format, j.longInteger("iteration"), a.text("model"),
                shape == null ? null : ImageShape.parse(shape), a.integer("embedding_size"), a.bool("stride_in_1x1"),
                j.text("embedding_vertex"), training, data, versions, created == null ? null : Instant.parse(created));
    }

    /** Format 0: iteration, model, embedding_size, stride_in_1x1, num_devices, loss_name and config as text. */
    private static CheckpointInfo legacy(Fields j, String source) {
        Map<String, Object> raw = j.raw;
        String config = raw.get("config") instanceof String s ? s : "";
        Map<String, String> c = new LinkedHashMap<>();
        Matcher m = CONFIG_FIELD.matcher(config);
        while (m.find()) {
            c.putIfAbsent(m.group(1), m.group(2));
        }
        Matcher shape = CONFIG_SHAPE.matcher(config);
        String model = raw.get("model") instanceof String s ? s : c.get("model");
        if (model == null) {
            throw new DataException(source + ": names no model; this is not a checkpoint.json of dml4j");
        }
        int embeddingSize = raw.get("embedding_size") instanceof Number n ? n.intValue() : 0;
        boolean stride = Boolean.TRUE.equals(raw.get("stride_in_1x1"));
        String vertex = raw.get("embedding_vertex") instanceof String s ? s
                : embeddingSize > 0 ? EmbeddingNetwork.EMBEDDING : ResNet.POOL;
        Training training = null;
        if (raw.get("loss_name") instanceof String loss && c.containsKey("trainBatchSize")) {
            int devices = raw.get("num_devices") instanceof Number n ? n.intValue() : 1;
            training = new Training(loss, dbl(c, "arcScale", 80), dbl(c, "arcMarginRadians", 0.15),
                    Boolean.parseBoolean(c.getOrDefault("arcEasyMargin", "false")), (int) dbl(c, "samplesEachClass", 2),
                    dbl(c, "margin", 0.1), dbl(c, "npairsRegLambda", 0.01), (int) dbl(c, "numShards", devices),
                    (int) dbl(c, "classDim", 11318), (int) dbl(c, "trainBatchSize", 0), devices,
                    (long) dbl(c, "seed", 0), dbl(c, "baseLr", 0.01), "piecewise_decay", "");
        }
        long iteration = raw.get("iteration") instanceof Number n ? n.longValue() : -1;
        return new CheckpointInfo(0, iteration, model, shape.find() ? ImageShape.parse(shape.group(1)) : null,
                embeddingSize, stride, vertex, training, List.of(), Map.of(), null);
    }

    private static final Pattern CONFIG_FIELD = Pattern.compile("(\\w+)=([\\w.+-]+)(?=[,\\]])");
    private static final Pattern CONFIG_SHAPE = Pattern.compile("imageShape=(\\d+,\\d+,\\d+)");

    private static double dbl(Map<String, String> c, String key, double fallback) {
        try {
            return c.containsKey(key) ? Double.parseDouble(c.get(key)) : fallback;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /** Typed access to a JSON object, with messages that name the file and the field. */
    private record Fields(Map<String, Object> raw, String source) {
        @SuppressWarnings("unchecked")
        Fields object(String key) {
            if (raw.get(key) instanceof Map<?, ?> m) {
                return new Fields((Map<String, Object>) m, source);
            }
            throw missing(key, "an object");
        }

        String text(String key) {
            if (raw.get(key) instanceof String s) {
                return s;
            }
            throw missing(key, "text");
        }

        String textOrNull(String key) {
            return raw.get(key) == null ? null : text(key);
        }

        double number(String key) {
            if (raw.get(key) instanceof Number n) {
                return n.doubleValue();
            }
            throw missing(key, "a number");
        }

        int integer(String key) {
            return (int) longInteger(key);
        }

        long longInteger(String key) {
            if (raw.get(key) instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
                return n.longValue();
            }
            throw missing(key, "an integer");
        }

        boolean bool(String key) {
            if (raw.get(key) instanceof Boolean b) {
                return b;
            }
            throw missing(key, "true or false");
        }

        private DataException missing(String key, String what) {
            return new DataException(source + ": field '" + key + "' must be " + what + ", got " + raw.get(key));
        }
    }
}

package org.dml4j.model;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.dml4j.data.ImageShape;
import org.dml4j.data.VisibleText;
import org.dml4j.error.DataException;
import org.dml4j.error.ModelMismatchException;
import org.dml4j.error.UsageException;

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
     * as text): each field of checkpoint.json's "architecture" and "training" objects as
     * {@code --<key>} with its JSON value as text; null values (an old checkpoint's unknown image
     * shape or schedule) are left out. The same two tables write the file, so a flag has one
     * spelling for the file, the comparison and the messages.
     */
    public static Map<String, String> flagsOf(String model, ImageShape imageShape, int embeddingSize,
                                              boolean strideIn1x1, Training training) {
        Map<String, String> f = new LinkedHashMap<>();
        Map<String, Object> json = new LinkedHashMap<>(architectureJson(model, imageShape, embeddingSize, strideIn1x1));
        if (training != null) {
            json.putAll(trainingJson(training));
        }
        json.forEach((k, v) -> {
            if (v != null) {
                f.put("--" + k, String.valueOf(v));
            }
        });
        return f;
    }

    /** checkpoint.json's "architecture" object; its keys are the flags without "--". */
    private static Map<String, Object> architectureJson(String model, ImageShape imageShape, int embeddingSize,
                                                        boolean strideIn1x1) {
        Map<String, Object> arch = new LinkedHashMap<>();
        arch.put("model", model);
        arch.put("image_shape", imageShape == null ? null : imageShape.toString());
        arch.put("embedding_size", embeddingSize);
        arch.put("stride_in_1x1", strideIn1x1);
        return arch;
    }

    /** checkpoint.json's "training" object; its keys are the flags without "--". */
    private static Map<String, Object> trainingJson(Training t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("loss_name", t.lossName());
        m.put("arc_scale", t.arcScale());
        m.put("arc_margin", t.arcMargin());
        m.put("arc_easy_margin", t.arcEasyMargin());
        m.put("samples_each_class", t.samplesEachClass());
        m.put("margin", t.margin());
        m.put("npairs_reg_lambda", t.npairsRegLambda());
        m.put("num_shards", t.numShards());
        m.put("class_dim", t.classDim());
        m.put("train_batch_size", t.trainBatchSize());
        m.put("num_devices", t.numDevices());
        m.put("seed", t.seed());
        m.put("lr", t.lr());
        m.put("lr_strategy", t.lrStrategy());
        m.put("lr_steps", t.lrSteps());
        return m;
    }

    /**
     * Where {@code requested} (flag → value, as {@link #flagsOf} writes them) contradicts this
     * checkpoint, for the flags in {@code keys} both know: one "--flag=X here, Y in the checkpoint"
     * each, empty when they agree.
     */
    public List<String> contradictions(Map<String, String> requested, Collection<String> keys) {
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

    /**
     * The compatibility check of every command that loads a checkpoint: the flags in {@code keys}
     * that {@code requested} gives must have this checkpoint's values.
     *
     * @param source the flag and path that named the checkpoint ("--pretrained_model out/7"), for the message
     * @throws ModelMismatchException naming each flag with both values
     */
    public void requireCompatible(Map<String, String> requested, Collection<String> keys, String source) {
        List<String> differ = contradictions(requested, keys);
        if (!differ.isEmpty()) {
            throw new ModelMismatchException(source + " was trained with other flags: " + String.join("; ", differ)
                    + " (leave them out to use the checkpoint's)");
        }
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

    /**
     * The Deeplearning4j release on the class path, from deeplearning4j-nn's Maven metadata (its
     * manifest carries no version), or "unknown" when the jar was repackaged without it.
     */
    public static final String DL4J_VERSION = dl4jVersion();

    private static String dl4jVersion() {
        try (InputStream in = ComputationGraph.class.getResourceAsStream(
                "/META-INF/maven/org.deeplearning4j/deeplearning4j-nn/pom.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The checkpoint.json content. */
    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("format", format);
        json.put("iteration", iteration);
        json.put("next_iteration", iteration + 1);
        json.put("architecture", architectureJson(model, imageShape, embeddingSize, strideIn1x1));
        json.put("embedding_vertex", embeddingVertex);
        if (training != null) {
            json.put("training", trainingJson(training));
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
    public static CheckpointInfo fromJson(Map<String, Object> json, String source) {
        if (json == null) {
            throw new DataException(source + ": holds null, not a checkpoint description");
        }
        Fields j = new Fields(json, source);
        if (!json.containsKey("format")) {
            return legacy(j, source);
        }
        int format = j.integer("format");
        if (format > FORMAT) {
            throw new DataException(source + ": checkpoint format " + format + " is newer than this dml4j reads ("
                    + FORMAT + "); use a newer dml4j");
        }
        if (format < 1) {
            throw new DataException(source + ": field 'format' must be 1 (or absent, for the first format), got "
                    + format);
        }
        Fields a = j.object("architecture");
        Training training = null;
        if (json.get("training") != null) {
            Fields t = j.object("training");
            training = new Training(t.text("loss_name"), t.number("arc_scale"), t.number("arc_margin"),
                    t.bool("arc_easy_margin"), t.integer("samples_each_class"), t.number("margin"),
                    t.number("npairs_reg_lambda"), t.integer("num_shards"), t.integer("class_dim"),
                    t.integer("train_batch_size"), t.integer("num_devices"), t.longInteger("seed"), t.number("lr"),
                    t.text("lr_strategy"), t.textOrNull("lr_steps"));
        }
        List<DataList> data = new ArrayList<>();
        for (Fields d : j.objects("data")) {
            data.add(new DataList(d.text("split"), d.text("path"), d.text("sha256"), d.integer("images"),
                    d.integer("classes")));
        }
        Map<String, String> versions = new LinkedHashMap<>();
        if (json.get("versions") instanceof Map<?, ?> v) {
            v.forEach((k, val) -> versions.put(String.valueOf(k), String.valueOf(val)));
        }
        return checked(new CheckpointInfo(format, iteration(j, source), modelName(a.text("model"), source),
                imageShape(a.textOrNull("image_shape"), source), a.integer("embedding_size"), a.bool("stride_in_1x1"),
                j.text("embedding_vertex"), training, data, versions, j.instantOrNull("created")), source);
    }

    /** A stored backbone name this version knows, or a {@link DataException} naming the file. */
    private static String modelName(String name, String source) {
        try {
            return Backbones.parse(name).name();
        } catch (UsageException e) {
            throw new DataException(source + ": field 'model' names no backbone of this dml4j ("
                    + VisibleText.quote(name) + "; known: " + Backbones.names() + ")");
        }
    }

    /** A stored image shape, null when absent, or a {@link DataException} naming the file. */
    private static ImageShape imageShape(String text, String source) {
        try {
            return text == null ? null : ImageShape.parse(text);
        } catch (UsageException e) {
            throw new DataException(source + ": field 'image_shape' " + e.getMessage().replace("--image_shape: ", ""));
        }
    }

    /**
     * Format 0: iteration, model, embedding_size, stride_in_1x1, num_devices, loss_name, and the
     * configuration as its {@code toString()} text, from which the image shape, the loss parameters
     * and the schedule ({@code lr=LrSchedule[baseLr=0.01, boundaries=[225]]}) are read back.
     */
    private static CheckpointInfo legacy(Fields j, String source) {
        Map<String, Object> raw = j.raw;
        String config = raw.get("config") == null ? "" : j.text("config");
        Map<String, String> c = new LinkedHashMap<>();
        Matcher m = CONFIG_FIELD.matcher(config);
        while (m.find()) {
            c.putIfAbsent(m.group(1), m.group(2));
        }
        Matcher shape = CONFIG_SHAPE.matcher(config);
        String name = raw.get("model") != null ? j.text("model") : c.get("model");
        if (name == null) {
            throw new DataException(source + ": names no model; this is not a checkpoint.json of dml4j");
        }
        String model = modelName(name, source);
        int embeddingSize = raw.get("embedding_size") == null ? 0 : j.integer("embedding_size");
        boolean stride = raw.get("stride_in_1x1") != null && j.bool("stride_in_1x1");
        String vertex = raw.get("embedding_vertex") != null ? j.text("embedding_vertex")
                : embeddingSize > 0 ? EmbeddingNetwork.EMBEDDING : Backbones.parse(model).pooledVertex();
        Training training = null;
        // the training flags only where the configuration text shows every one (nothing invented)
        if (raw.get("loss_name") != null && c.keySet().containsAll(LEGACY_TRAINING_KEYS)) {
            int devices = raw.get("num_devices") == null ? 1 : j.integer("num_devices");
            Matcher steps = CONFIG_LR_STEPS.matcher(config);
            try {
                training = new Training(j.text("loss_name"), Double.parseDouble(c.get("arcScale")),
                        Double.parseDouble(c.get("arcMarginRadians")), Boolean.parseBoolean(c.get("arcEasyMargin")),
                        Integer.parseInt(c.get("samplesEachClass")), Double.parseDouble(c.get("margin")),
                        Double.parseDouble(c.get("npairsRegLambda")), Integer.parseInt(c.get("numShards")),
                        Integer.parseInt(c.get("classDim")), Integer.parseInt(c.get("trainBatchSize")), devices,
                        Long.parseLong(c.get("seed")), Double.parseDouble(c.get("baseLr")), "piecewise_decay",
                        steps.find() ? steps.group(1).replace(" ", "") : null);
            } catch (NumberFormatException e) {
                throw new DataException(source + ": field 'config' holds a value that is not a number ("
                        + e.getMessage() + ")");
            }
        }
        long iteration = raw.get("iteration") == null ? -1 : iteration(j, source);
        return checked(new CheckpointInfo(0, iteration, model, shape.find() ? imageShape(shape.group(1), source) : null,
                embeddingSize, stride, vertex, training, List.of(), Map.of(), null), source);
    }

    /** What the first format's configuration text must show for its training flags to be known. */
    private static final List<String> LEGACY_TRAINING_KEYS = List.of("arcScale", "arcMarginRadians", "arcEasyMargin",
            "samplesEachClass", "margin", "npairsRegLambda", "numShards", "classDim", "trainBatchSize", "seed",
            "baseLr");

    /** The iteration: −1 (not from training) up to the largest {@code --total_iter_num}. */
    private static long iteration(Fields j, String source) {
        long it = j.longInteger("iteration");
        if (it < -1 || it > Integer.MAX_VALUE) {
            throw new DataException(source + ": field 'iteration' must be between -1 and " + Integer.MAX_VALUE
                    + " (the range of --total_iter_num), got " + it);
        }
        return it;
    }

    /**
     * The architecture a network can have: embedding size at least 0, a stride rule its backbone
     * has, the embedding vertex the size implies.
     */
    private static CheckpointInfo checked(CheckpointInfo info, String source) {
        Backbone backbone = Backbones.parse(info.model());
        if (info.embeddingSize() < 0) {
            throw new DataException(source + ": field 'embedding_size' must be >= 0, got " + info.embeddingSize());
        }
        if (info.strideIn1x1() && !backbone.hasStrideChoice()) {
            throw new DataException(source + ": field 'stride_in_1x1' is true, but " + backbone
                    + " has no bottleneck blocks to stride in");
        }
        String vertex = info.embeddingSize() > 0 ? EmbeddingNetwork.EMBEDDING : backbone.pooledVertex();
        if (!vertex.equals(info.embeddingVertex())) {
            throw new DataException(source + ": field 'embedding_vertex' must be '" + vertex + "' for embedding_size "
                    + info.embeddingSize() + ", got " + VisibleText.quote(info.embeddingVertex()));
        }
        return info;
    }

    private static final Pattern CONFIG_LR_STEPS = Pattern.compile("boundaries=\\[([\\d, ]*)\\]");
    private static final Pattern CONFIG_FIELD = Pattern.compile("(\\w+)=([\\w.+-]+)(?=[,\\]])");
    private static final Pattern CONFIG_SHAPE = Pattern.compile("imageShape=(\\d+,\\d+,\\d+)");


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

        /** A list of objects; absent or null is empty. */
        @SuppressWarnings("unchecked")
        List<Fields> objects(String key) {
            Object v = raw.get(key);
            if (v == null) {
                return List.of();
            }
            if (!(v instanceof List<?> list)) {
                throw missing(key, "a list");
            }
            List<Fields> out = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                if (!(list.get(i) instanceof Map<?, ?> item)) {
                    throw new DataException(source + ": item " + (i + 1) + " of '" + key + "' must be an object, got "
                            + list.get(i));
                }
                out.add(new Fields((Map<String, Object>) item, source + " ('" + key + "' item " + (i + 1) + ")"));
            }
            return out;
        }

        Instant instantOrNull(String key) {
            String text = textOrNull(key);
            try {
                return text == null ? null : Instant.parse(text);
            } catch (DateTimeParseException e) {
                throw missing(key, "a time such as 2026-11-29T15:26:00Z");
            }
        }

        double number(String key) {
            if (raw.get(key) instanceof Number n && Double.isFinite(n.doubleValue())) {
                return n.doubleValue();
            }
            throw missing(key, "a finite number");
        }

        int integer(String key) {
            long v = longInteger(key);
            if (v != (int) v) {
                throw missing(key, "an integer between " + Integer.MIN_VALUE + " and " + Integer.MAX_VALUE);
            }
            return (int) v;
        }

        long longInteger(String key) {
            if (raw.get(key) instanceof Number n && (n instanceof Long || n instanceof Integer
                    || n instanceof Short || n instanceof Byte)) {
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

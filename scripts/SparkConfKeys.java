/*
 * Lists the configuration keys one Spark release defines, for scripts/spark-conf-catalogue.ts.
 * Run with the release's jars on the class path:
 *
 *   java -cp '<spark>/jars/*' scripts/SparkConfKeys.java <spark>/jars
 *
 * It reads no Spark source. It finds the Scala objects that declare configuration entries (the
 * classes of the Spark jars whose bytecode names Spark's config builder), initializes them so they
 * register their entries, and prints, one per line, tab-separated and sorted:
 *
 *   holder      <class>   <number of keys it added>
 *   key         <key>     public|internal
 *   alternative <old key> <current key>    (an older name Spark still reads for the current key)
 *   deprecated  <key>     <Spark version that deprecated it>
 *   transport   <key>     <module>        (read by name by the network layer, not declared as an entry)
 *   literal     <key>                     (a whole `spark.*` key written as a string constant in Spark's
 *                                          classes: the keys read by name, such as spark.master)
 *
 * Reflection for the Scala side, so the same file runs against 3.5 (Scala 2.12) and 4.x (Scala 2.13) jars.
 */
import java.io.File;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.apache.spark.network.util.ConfigProvider;
import org.apache.spark.network.util.TransportConf;

public class SparkConfKeys {
  /** Byte strings that mark a class declaring config entries (core's builder, SQL's two). */
  private static final String[] MARKERS = {"org/apache/spark/internal/config/ConfigBuilder", "buildConf", "buildStaticConf"};

  public static void main(String[] args) throws Exception {
    if (args.length != 1) throw new IllegalArgumentException("usage: SparkConfKeys <spark jars directory>");
    TreeSet<String> literals = new TreeSet<>();
    List<String> holders = scanClasses(new File(args[0]), literals);
    Class<?> registryClass = Class.forName("org.apache.spark.internal.config.ConfigEntry$");
    Object registry = registryClass.getField("MODULE$").get(null);
    Map<?, ?> known = (Map<?, ?>) registryClass.getMethod("knownConfigs").invoke(registry);
    TreeSet<String> out = new TreeSet<>();
    for (String holder : holders) {
      int before = known.size();
      try {
        Class.forName(holder, true, SparkConfKeys.class.getClassLoader()).getField("MODULE$").get(null);
      } catch (Throwable t) {
        // A holder that cannot initialize outside a running Spark adds no keys; the count says so.
      }
      out.add("holder\t" + holder + "\t" + (known.size() - before));
    }
    for (Object entry : known.values()) {
      String key = (String) call(entry, "key");
      boolean isPublic = (Boolean) call(entry, "isPublic");
      out.add("key\t" + key + "\t" + (isPublic ? "public" : "internal"));
      for (Object alt : iterable(call(entry, "alternatives"))) out.add("alternative\t" + alt + "\t" + key);
    }
    Class<?> sparkConf = Class.forName("org.apache.spark.SparkConf$");
    Object conf = sparkConf.getField("MODULE$").get(null);
    for (Object d : iterable(call(field(sparkConf, conf, "deprecatedConfigs"), "values"))) {
      out.add("deprecated\t" + call(d, "key") + "\t" + call(d, "version"));
    }
    // Old key -> (current key, how the value translates).
    Object alternatives = field(sparkConf, conf, "allAlternatives");
    for (Object old : iterable(call(alternatives, "keys"))) {
      out.add("alternative\t" + old + "\t" + call(call(alternatives, "apply", old), "_1"));
    }
    // The network layer (Java) reads `spark.<module>.io.*` and friends by name: record what it asks for.
    for (String module : TRANSPORT_MODULES) {
      Recorder recorder = new Recorder();
      TransportConf transport = new TransportConf(module, recorder);
      for (Method m : TransportConf.class.getMethods()) {
        if (m.getDeclaringClass() != TransportConf.class || m.getParameterCount() != 0) continue;
        try {
          m.invoke(transport);
        } catch (Throwable t) {
          // A getter that needs a value (a key store path) has already asked for its key.
        }
      }
      for (String key : recorder.asked) out.add("transport\t" + key + "\t" + module);
    }
    for (String key : literals) out.add("literal\t" + key);
    StringBuilder text = new StringBuilder();
    for (String line : out) text.append(line).append('\n');
    System.out.print(text);
  }

  /** The modules Spark builds its network layer's TransportConf for (RPC, file server, shuffle). */
  private static final String[] TRANSPORT_MODULES = {"rpc", "files", "shuffle"};

  /** A config source with no values that remembers every key it was asked for. */
  static final class Recorder extends ConfigProvider {
    final TreeSet<String> asked = new TreeSet<>();

    @Override
    public String get(String name) {
      asked.add(name);
      throw new NoSuchElementException(name);
    }

    @Override
    public Iterable<Map.Entry<String, String>> getAll() {
      return Collections.emptyList();
    }
  }

  /** A whole key: `spark.` and dot-separated words, not ending in a dot (prefixes are not keys). */
  private static final java.util.regex.Pattern KEY = java.util.regex.Pattern.compile("spark(\\.[A-Za-z0-9_-]+)+");

  /**
   * Scala objects (`Name$`) of the Spark jars whose bytecode names a config builder, sorted; adds
   * every string constant of every Spark class that is a whole `spark.*` key to `literals`.
   */
  private static List<String> scanClasses(File jars, TreeSet<String> literals) throws Exception {
    List<String> found = new ArrayList<>();
    File[] files = jars.listFiles((dir, name) -> name.startsWith("spark-") && name.endsWith(".jar"));
    if (files == null) throw new IllegalArgumentException(jars + " is not a directory");
    for (File f : files) {
      try (JarFile jar = new JarFile(f)) {
        for (JarEntry e : Collections.list(jar.entries())) {
          String name = e.getName();
          if (!name.endsWith(".class")) continue;
          byte[] raw = jar.getInputStream(e).readAllBytes();
          for (String constant : stringConstants(raw)) if (KEY.matcher(constant).matches()) literals.add(constant);
          if (!name.endsWith("$.class") || name.endsWith("/ConfigBuilder$.class")) continue;
          String bytes = new String(raw, StandardCharsets.ISO_8859_1);
          for (String marker : MARKERS) {
            if (bytes.contains(marker)) {
              found.add(name.substring(0, name.length() - ".class".length()).replace('/', '.'));
              break;
            }
          }
        }
      }
    }
    Collections.sort(found);
    return found;
  }

  /** The string constants (`ldc "..."`) of a class file: the Utf8 entries its String entries point at. */
  private static List<String> stringConstants(byte[] classFile) throws Exception {
    java.io.DataInputStream in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(classFile));
    if (in.readInt() != 0xCAFEBABE) return List.of();
    in.readUnsignedShort();
    in.readUnsignedShort();
    int count = in.readUnsignedShort();
    String[] utf8 = new String[count];
    List<Integer> strings = new ArrayList<>();
    for (int i = 1; i < count; i++) {
      int tag = in.readUnsignedByte();
      switch (tag) {
        case 1: utf8[i] = in.readUTF(); break;
        case 8: strings.add(in.readUnsignedShort()); break;
        case 7: case 16: case 19: case 20: in.skipBytes(2); break;
        case 15: in.skipBytes(3); break;
        case 3: case 4: case 9: case 10: case 11: case 12: case 17: case 18: in.skipBytes(4); break;
        case 5: case 6: in.skipBytes(8); i++; break;
        default: throw new IllegalStateException("constant pool tag " + tag);
      }
    }
    List<String> out = new ArrayList<>();
    for (int index : strings) if (utf8[index] != null) out.add(utf8[index]);
    return out;
  }

  private static Object field(Class<?> type, Object target, String name) throws Exception {
    Field f = type.getDeclaredField(name);
    f.setAccessible(true);
    return f.get(target);
  }

  /** Calls a public method, looking it up on public types so Scala's anonymous classes do not get in the way. */
  private static Object call(Object target, String name, Object... args) throws Exception {
    for (Class<?> c = target.getClass(); c != null; c = c.getSuperclass()) {
      Method m = publicMethod(c, name, args.length);
      if (m != null) return m.invoke(target, args);
    }
    // Private case classes (SparkConf's DeprecatedConfig): their own accessors, made accessible.
    for (Method m : target.getClass().getDeclaredMethods()) {
      if (m.getName().equals(name) && m.getParameterCount() == args.length) {
        m.setAccessible(true);
        return m.invoke(target, args);
      }
    }
    throw new NoSuchMethodException(target.getClass() + "." + name);
  }

  private static Method publicMethod(Class<?> c, String name, int arity) {
    if (java.lang.reflect.Modifier.isPublic(c.getModifiers())) {
      for (Method m : c.getMethods()) if (m.getName().equals(name) && m.getParameterCount() == arity) return m;
    }
    for (Class<?> i : c.getInterfaces()) {
      Method m = publicMethod(i, name, arity);
      if (m != null) return m;
    }
    return null;
  }

  /** The elements of a Scala collection (anything with `iterator()`). */
  private static List<Object> iterable(Object collection) throws Exception {
    List<Object> items = new ArrayList<>();
    Object it = call(collection, "iterator");
    while ((Boolean) call(it, "hasNext")) items.add(call(it, "next"));
    return items;
  }
}

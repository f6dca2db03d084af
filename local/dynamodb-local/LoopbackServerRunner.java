import com.amazonaws.services.dynamodbv2.local.main.ServerRunner;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.util.Arrays;
import java.util.stream.Stream;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * DynamoDB Local's own server, as its ServerRunner builds it, but listening on 127.0.0.1 only (ServerRunner
 * binds every interface and has no option for it) and on any port, 0 included (ServerRunner refuses 0).
 *
 * <p>Usage: {@code LoopbackServerRunner <port> [DynamoDB Local options other than -port]}. Prints
 * {@code DynamoDB Local listening on http://127.0.0.1:<port>} once it accepts connections, and exits when its
 * standard input closes, so it never outlives the process that started it.
 */
public final class LoopbackServerRunner {
  private LoopbackServerRunner() {}

  public static void main(String[] args) throws Exception {
    if (args.length < 1) {
      System.err.println("Usage: LoopbackServerRunner <port> [DynamoDB Local options other than -port]");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    // ServerRunner wants a port from 1 to 65535; the connector gets the one asked for below.
    String[] options =
        Stream.concat(Arrays.stream(args).skip(1), Stream.of("-port", "8000")).toArray(String[]::new);
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(options);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server jetty = (Server) field.get(proxy);
    ServerConnector connector = null;
    for (Connector candidate : jetty.getConnectors()) {
      if (candidate instanceof ServerConnector serverConnector) connector = serverConnector;
    }
    if (connector == null || jetty.getConnectors().length != 1) {
      throw new IllegalStateException("This DynamoDB Local does not have the one HTTP connector expected");
    }
    connector.setHost("127.0.0.1");
    connector.setPort(port);
    proxy.start();
    if (connector.getLocalPort() <= 0) {
      System.err.println("DynamoDB Local could not listen on 127.0.0.1:" + port);
      System.exit(1);
    }
    System.out.println("DynamoDB Local listening on http://127.0.0.1:" + connector.getLocalPort());
    System.out.flush();

    Thread watchdog =
        new Thread(
            () -> {
              try (InputStream in = System.in) {
                while (in.read() != -1) {
                  // Nothing is sent; only the end of the stream matters.
                }
              } catch (Exception ignored) {
                // A broken pipe means the same as its end.
              }
              System.exit(0);
            },
            "exit-when-parent-goes");
    watchdog.setDaemon(true);
    watchdog.start();
  }
}

package govsearch.opensearch;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.codelibs.opensearch.runner.OpenSearchRunner;

/**
 * One node of a cluster on 127.0.0.1, in this process: node {@code number} of {@code nodes},
 * HTTP on {@code httpBase + number} and transport on {@code transportBase + number}, its
 * files under {@code folder/node-number}. Each node lists every node's transport address as
 * a seed and every node's name as an initial cluster manager, so the first start of all of
 * them forms one cluster over the real transport layer, and a node started again rejoins it.
 *
 * <pre>java govsearch.opensearch.ClusterNode NUMBER NODES FOLDER HTTP_BASE TRANSPORT_BASE CLUSTER</pre>
 */
public final class ClusterNode {
    private ClusterNode() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 6) {
            System.err.println("usage: ClusterNode NUMBER NODES FOLDER HTTP_BASE TRANSPORT_BASE CLUSTER");
            System.exit(2);
        }
        int number = Integer.parseInt(args[0]);
        int nodes = Integer.parseInt(args[1]);
        Path folder = Path.of(args[2]).toAbsolutePath();
        int httpBase = Integer.parseInt(args[3]);
        int transportBase = Integer.parseInt(args[4]);
        String cluster = args[5];
        List<String> seeds = new ArrayList<>();
        List<String> names = new ArrayList<>();
        for (int i = 1; i <= nodes; i++) {
            seeds.add("127.0.0.1:" + (transportBase + i));
            names.add("node-" + i);
        }
        Path home = folder.resolve("node-" + number);
        Files.createDirectories(home);
        OpenSearchRunner runner = new OpenSearchRunner();
        // The port is the one given, whatever its number (the runner looks for a free one
        // below 9300 otherwise).
        runner.setMaxHttpPort(-1);
        runner.onBuild((id, settings) -> {
            settings.put("node.name", "node-" + number);
            settings.put("network.host", "127.0.0.1");
            settings.put("http.port", String.valueOf(httpBase + number));
            settings.put("transport.port", String.valueOf(transportBase + number));
            settings.putList("discovery.seed_hosts", seeds);
            settings.putList("cluster.initial_cluster_manager_nodes", names);
            settings.putList("node.roles", "cluster_manager", "data", "ingest");
            // The nodes share one small machine: no disk watermark stops a test's shards.
            settings.put("cluster.routing.allocation.disk.threshold_enabled", "false");
            settings.put("action.auto_create_index", "false");
            // The nodes run the serial collector (small heaps on two cores), whose garbage the
            // real-memory breaker counts as live until the next collection: it refuses
            // searches with the heap half garbage. The breakers that count what requests
            // reserve (request, fielddata, in flight) still hold.
            settings.put("indices.breaker.total.use_real_memory", "false");
        });
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                runner.close();
            } catch (Exception e) {
                System.err.println("node-" + number + ": " + e);
            }
        }));
        runner.build(OpenSearchRunner.newConfigs()
                .basePath(home.toString())
                .numOfNode(1)
                .clusterName(cluster)
                .baseHttpPort(httpBase + number - 1)
                .useLogger());
        System.out.println("node-" + number + " started: http://127.0.0.1:" + (httpBase + number));
        while (!runner.isClosed()) {
            Thread.sleep(1000);
        }
    }
}

import { orderIndependenceSuite } from "./suite.ts";

// Every other seed (the first, third, …); order-independence-2.test.ts runs the rest in a
// process (and embedded ClickHouse) of its own. The suite is described in suite.ts.
orderIndependenceSuite(0, 2);

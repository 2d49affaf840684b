import { orderIndependenceSuite } from "./suite.ts";

// The second, fourth, … seed; see order-independence.test.ts and suite.ts.
orderIndependenceSuite(1, 2);

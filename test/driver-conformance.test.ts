import { playwrightDriver } from '../src/drivers/playwright.js';
import { seleniumDriver } from '../src/drivers/selenium.js';
import { browserDriverConformance } from '../src/testing/conformance/browser-driver.js';

browserDriverConformance('playwright', () => playwrightDriver());
browserDriverConformance('selenium', () => seleniumDriver());

/**
 * browser hands the page over to another site (the provider's consent page) with a full page
 * load. It is an object so that tests can spy on the navigation jsdom cannot do.
 */
export const browser = {
  leaveTo(url: string): void {
    window.location.assign(url);
  },
};
